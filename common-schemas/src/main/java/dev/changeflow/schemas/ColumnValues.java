package dev.changeflow.schemas;

import javax.annotation.Nullable;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Converts column values read from a database (JDBC / {@code java.time} / Java values) into the
 * JSON values of the change-event contract, the same way for every CDC method. The mapping and the
 * Flink SQL type to declare for each column type are documented in {@code common-schemas/TYPES.md}.
 *
 * <p>The result is a value of the <em>JSON value model</em> used by {@link ChangeEvent} rows:
 *
 * <ul>
 *   <li>{@code null} for SQL NULL;
 *   <li>{@link Boolean};
 *   <li>{@link String}, including every temporal value, bytes (base64), UUIDs, JSON documents and
 *       the non-finite floating point values {@code "NaN"}, {@code "Infinity"}, {@code
 *       "-Infinity"};
 *   <li>{@link Long} (or {@link BigInteger} beyond 64 bits) for numbers without a fraction;
 *   <li>{@link BigDecimal} with a non-zero scale for every other number (exact, never a {@code
 *       double});
 *   <li>an unmodifiable {@link List} for arrays, an unmodifiable, ordered {@link Map} for maps.
 * </ul>
 *
 * <p>The model is canonical: it is what reading the written JSON gives back, and {@code
 * toJsonValue(toJsonValue(x))} equals {@code toJsonValue(x)}. A {@code BigDecimal} of scale 0 is
 * therefore held as a {@code Long}, and {@code double}/{@code float} values are held as {@code
 * BigDecimal}s whose scale is never 0 (so {@code 1.0} stays {@code 1.0} in JSON).
 *
 * <p>Temporal values are text, never epoch numbers: timestamps {@code yyyy-MM-dd HH:mm:ss[.f]},
 * timestamps with time zone converted to UTC with a trailing {@code Z}, dates {@code yyyy-MM-dd},
 * times {@code HH:mm:ss[.f]}. The fraction is written only when non-zero, with at most 6 digits and
 * without trailing zeros; finer values are truncated to microseconds (PostgreSQL and MariaDB store
 * no more). Years must be within 0000-9999 (PostgreSQL's {@code infinity} is rejected).
 */
public final class ColumnValues {

    private static final String SUPPORTED =
            "null, Boolean, Byte/Short/Integer/Long, BigInteger, BigDecimal, Float/Double,"
                    + " CharSequence, Character, JsonText, UUID, LocalDate, LocalTime,"
                    + " LocalDateTime, OffsetTime, OffsetDateTime, ZonedDateTime, Instant,"
                    + " java.util.Date and its java.sql subclasses, byte[], ByteBuffer,"
                    + " java.sql.Array, arrays, Collection, Map with String keys";

    private ColumnValues() {}

    /**
     * Converts one column value to the JSON value model.
     *
     * @throws IllegalArgumentException if the value's type is not supported or the value is out of
     *     the contract's range
     */
    @Nullable
    public static Object toJsonValue(@Nullable Object value) {
        if (value == null
                || value instanceof String
                || value instanceof Boolean
                || value instanceof Long) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigDecimal) {
            BigDecimal decimal = (BigDecimal) value;
            return decimal.scale() == 0 ? canonicalInteger(decimal.unscaledValue()) : decimal;
        }
        if (value instanceof BigInteger) {
            return canonicalInteger((BigInteger) value);
        }
        if (value instanceof Double || value instanceof Float) {
            return floatingPoint((Number) value);
        }
        if (value instanceof CharSequence || value instanceof Character) {
            return value.toString();
        }
        if (value instanceof JsonText) {
            return ((JsonText) value).text();
        }
        if (value instanceof UUID) {
            return value.toString();
        }
        Object temporal = temporal(value);
        if (temporal != null) {
            return temporal;
        }
        if (value instanceof byte[]) {
            return encodeBytes((byte[]) value);
        }
        if (value instanceof ByteBuffer) {
            ByteBuffer buffer = ((ByteBuffer) value).duplicate();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return encodeBytes(bytes);
        }
        if (value instanceof java.sql.Array) {
            try {
                return toJsonValue(((java.sql.Array) value).getArray());
            } catch (SQLException e) {
                throw new IllegalArgumentException("cannot read SQL array: " + e.getMessage(), e);
            }
        }
        if (value.getClass().isArray()) {
            int length = Array.getLength(value);
            List<Object> list = new ArrayList<>(length);
            for (int i = 0; i < length; i++) {
                list.add(element(i, Array.get(value, i)));
            }
            return Collections.unmodifiableList(list);
        }
        if (value instanceof Collection) {
            Collection<?> collection = (Collection<?>) value;
            List<Object> list = new ArrayList<>(collection.size());
            int i = 0;
            for (Object element : collection) {
                list.add(element(i++, element));
            }
            return Collections.unmodifiableList(list);
        }
        if (value instanceof Map) {
            return toJsonObject((Map<?, ?>) value, "key");
        }
        throw new IllegalArgumentException(
                "unsupported column value type "
                        + value.getClass().getName()
                        + "; supported: "
                        + SUPPORTED);
    }

    /**
     * Converts a row (column name to value, in column order) to an unmodifiable map of JSON values
     * that keeps the column order.
     *
     * @return {@code null} if {@code row} is null
     * @throws IllegalArgumentException naming the column whose value cannot be converted
     */
    @Nullable
    public static Map<String, Object> toJsonRow(@Nullable Map<String, ?> row) {
        return row == null ? null : toJsonObject(row, "column");
    }

    /** Formats a timestamp without time zone as {@code yyyy-MM-dd HH:mm:ss[.ffffff]}. */
    public static String formatTimestamp(LocalDateTime timestamp) {
        StringBuilder sb = new StringBuilder(26);
        appendDate(sb, timestamp.toLocalDate(), timestamp);
        sb.append(' ');
        appendTime(sb, timestamp.toLocalTime());
        return sb.toString();
    }

    /** Formats an instant in UTC as {@code yyyy-MM-dd HH:mm:ss[.ffffff]Z}. */
    public static String formatTimestampUtc(Instant instant) {
        LocalDateTime utc;
        try {
            utc = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "date/time out of range (years 0000-9999): " + instant, e);
        }
        return formatTimestamp(utc) + 'Z';
    }

    /** Formats a date as {@code yyyy-MM-dd}. */
    public static String formatDate(LocalDate date) {
        StringBuilder sb = new StringBuilder(10);
        appendDate(sb, date, date);
        return sb.toString();
    }

    /** Formats a time of day as {@code HH:mm:ss[.ffffff]}. */
    public static String formatTime(LocalTime time) {
        StringBuilder sb = new StringBuilder(15);
        appendTime(sb, time);
        return sb.toString();
    }

    /** Encodes bytes as standard base64 with padding (RFC 4648, no line breaks). */
    public static String encodeBytes(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static Map<String, Object> toJsonObject(Map<?, ?> map, String keyName) {
        Map<String, Object> result = new LinkedHashMap<>(Math.max(4, map.size() * 4 / 3 + 1));
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            Object key = entry.getKey();
            if (!(key instanceof String)) {
                throw new IllegalArgumentException(
                        keyName + " names must be non-null strings, got " + key);
            }
            try {
                result.put((String) key, toJsonValue(entry.getValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        keyName + " '" + key + "': " + e.getMessage(), e);
            }
        }
        return Collections.unmodifiableMap(result);
    }

    private static Object element(int index, Object element) {
        try {
            return toJsonValue(element);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("array element " + index + ": " + e.getMessage(), e);
        }
    }

    private static Object canonicalInteger(BigInteger integer) {
        return integer.bitLength() < Long.SIZE ? (Object) integer.longValue() : integer;
    }

    private static Object floatingPoint(Number number) {
        double d = number.doubleValue();
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        // Float.toString keeps a float's shortest decimal form (0.1f stays 0.1, not 0.100000001).
        BigDecimal decimal = new BigDecimal(number.toString());
        return decimal.scale() == 0 ? decimal.setScale(1) : decimal;
    }

    @Nullable
    private static String temporal(Object value) {
        if (value instanceof LocalDateTime) {
            return formatTimestamp((LocalDateTime) value);
        }
        if (value instanceof LocalDate) {
            return formatDate((LocalDate) value);
        }
        if (value instanceof LocalTime) {
            return formatTime((LocalTime) value);
        }
        if (value instanceof OffsetDateTime) {
            return formatTimestampUtc(((OffsetDateTime) value).toInstant());
        }
        if (value instanceof ZonedDateTime) {
            return formatTimestampUtc(((ZonedDateTime) value).toInstant());
        }
        if (value instanceof Instant) {
            return formatTimestampUtc((Instant) value);
        }
        if (value instanceof OffsetTime) {
            OffsetTime utc = ((OffsetTime) value).withOffsetSameInstant(ZoneOffset.UTC);
            return formatTime(utc.toLocalTime()) + 'Z';
        }
        // java.sql subclasses first: their toInstant() is unsupported or zone-dependent.
        if (value instanceof java.sql.Timestamp) {
            return formatTimestamp(((java.sql.Timestamp) value).toLocalDateTime());
        }
        if (value instanceof java.sql.Date) {
            return formatDate(((java.sql.Date) value).toLocalDate());
        }
        if (value instanceof java.sql.Time) {
            return formatTime(((java.sql.Time) value).toLocalTime());
        }
        if (value instanceof java.util.Date) {
            return formatTimestampUtc(((java.util.Date) value).toInstant());
        }
        return null;
    }

    private static void appendDate(StringBuilder sb, LocalDate date, Object original) {
        int year = date.getYear();
        if (year < 0 || year > 9999) {
            throw new IllegalArgumentException(
                    "date/time out of range (years 0000-9999): " + original);
        }
        appendPadded(sb, year, 4);
        sb.append('-');
        appendPadded(sb, date.getMonthValue(), 2);
        sb.append('-');
        appendPadded(sb, date.getDayOfMonth(), 2);
    }

    private static void appendTime(StringBuilder sb, LocalTime time) {
        appendPadded(sb, time.getHour(), 2);
        sb.append(':');
        appendPadded(sb, time.getMinute(), 2);
        sb.append(':');
        appendPadded(sb, time.getSecond(), 2);
        int micros = time.getNano() / 1000;
        if (micros != 0) {
            int digits = 6;
            while (micros % 10 == 0) {
                micros /= 10;
                digits--;
            }
            sb.append('.');
            appendPadded(sb, micros, digits);
        }
    }

    private static void appendPadded(StringBuilder sb, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        sb.append(s);
    }
}
