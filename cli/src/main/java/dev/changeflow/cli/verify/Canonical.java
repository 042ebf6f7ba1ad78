package dev.changeflow.cli.verify;

import dev.changeflow.cli.verify.TableShape.ColumnKind;
import dev.changeflow.jobs.views.ToViewUpdates;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

/**
 * One text form per value, so that a database row and what a sink holds compare equal when they
 * mean the same: numbers without trailing zeros ({@code 12.50} and {@code 12.5} and the Redis text
 * {@code "12.50"}), booleans as {@code true}/{@code false}, JSON values as JSON text, SQL NULL as
 * absent. Timestamps stay text ({@code yyyy-MM-dd HH:mm:ss[.f]}) unless the sink keeps numbers:
 * then both sides are epoch milliseconds (UTC, as the jobs read {@code created_at}).
 */
final class Canonical {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter SQL_TIMESTAMP =
            DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd HH:mm:ss[.SSSSSS][.SSSSS][.SSSS][.SSS][.SS][.S]");

    private static final ThreadLocal<MessageDigest> MD5 =
            ThreadLocal.withInitial(
                    () -> {
                        try {
                            return MessageDigest.getInstance("MD5");
                        } catch (NoSuchAlgorithmException e) {
                            throw new IllegalStateException(e);
                        }
                    });

    private Canonical() {}

    /**
     * The text form of {@code value} in a column of {@code kind}; null for SQL NULL.
     *
     * @param epochTimestamps whether timestamps compare as epoch milliseconds
     */
    static String text(Object value, ColumnKind kind, boolean epochTimestamps) {
        if (value == null) {
            return null;
        }
        switch (kind) {
            case NUMBER:
                return number(value);
            case BOOLEAN:
                return bool(value);
            case TIMESTAMP:
                return epochTimestamps ? epochMillis(value) : plain(value);
            case JSON:
                return json(value);
            default:
                return plain(value);
        }
    }

    /** A 64-bit digest of a row's text forms, independent of column order. */
    static long digest(Map<String, String> row) {
        MessageDigest md5 = MD5.get();
        Map<String, String> sorted = new TreeMap<>(row);
        for (Map.Entry<String, String> column : sorted.entrySet()) {
            md5.update(column.getKey().getBytes(StandardCharsets.UTF_8));
            md5.update((byte) 0);
            md5.update(column.getValue().getBytes(StandardCharsets.UTF_8));
            md5.update((byte) 0);
        }
        byte[] hash = md5.digest();
        long digest = 0;
        for (int i = 0; i < 8; i++) {
            digest = (digest << 8) | (hash[i] & 0xFF);
        }
        return digest;
    }

    private static String number(Object value) {
        if (value instanceof Boolean) {
            return value.toString();
        }
        String text = value instanceof Number ? value.toString() : value.toString().trim();
        try {
            BigDecimal decimal = new BigDecimal(text).stripTrailingZeros();
            return decimal.signum() == 0 ? "0" : decimal.toPlainString();
        } catch (NumberFormatException notANumber) {
            return text; // NaN, Infinity
        }
    }

    private static String bool(Object value) {
        if (value instanceof Boolean) {
            return value.toString();
        }
        String text = value.toString().trim();
        if (text.equals("1") || text.equalsIgnoreCase("t") || text.equalsIgnoreCase("true")) {
            return "true";
        }
        if (text.equals("0") || text.equalsIgnoreCase("f") || text.equalsIgnoreCase("false")) {
            return "false";
        }
        return text;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(
                    value instanceof String ? JSON.readTree((String) value) : value);
        } catch (JsonProcessingException notJson) {
            return plain(value);
        }
    }

    /** The text the envelope's value has as a view field ({@link ToViewUpdates#text}). */
    private static String plain(Object value) {
        return ToViewUpdates.text(value);
    }

    private static String epochMillis(Object value) {
        if (value instanceof Number) {
            return Long.toString(((Number) value).longValue());
        }
        String text = value.toString().trim();
        try {
            if (text.endsWith("Z") && text.indexOf('T') < 0) {
                return Long.toString(
                        LocalDateTime.parse(text.substring(0, text.length() - 1), SQL_TIMESTAMP)
                                .toInstant(ZoneOffset.UTC)
                                .toEpochMilli());
            }
            if (text.indexOf('T') > 0) {
                return Long.toString(
                        text.endsWith("Z") || text.matches(".*[+-]\\d\\d:?\\d\\d$")
                                ? OffsetDateTime.parse(text).toInstant().toEpochMilli()
                                : LocalDateTime.parse(text)
                                        .toInstant(ZoneOffset.UTC)
                                        .toEpochMilli());
            }
            return Long.toString(
                    LocalDateTime.parse(text, SQL_TIMESTAMP)
                            .toInstant(ZoneOffset.UTC)
                            .toEpochMilli());
        } catch (DateTimeParseException notATimestamp) {
            try {
                return Long.toString(Long.parseLong(text));
            } catch (NumberFormatException alsoNotANumber) {
                return text;
            }
        }
    }
}
