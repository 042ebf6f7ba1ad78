package dev.changeflow.schemas;

import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The events of the golden files under {@code src/test/resources/golden/}, built in Java from the
 * values a JDBC driver returns (so the files also pin the type mapping).
 */
final class Golden {

    static final List<String> PRIMARY_KEY = List.of("id");

    private Golden() {}

    /** Arguments (file name, event) for parameterized tests. */
    static Stream<Arguments> files() {
        return Stream.of(
                arguments("insert.json", insert()),
                arguments("update.json", update()),
                arguments("delete.json", delete()),
                arguments("snapshot-read.json", snapshotRead()));
    }

    static List<ChangeEvent> events() {
        return List.of(insert(), update(), delete(), snapshotRead());
    }

    static ChangeEvent insert() {
        return ChangeEvent.create(
                logSource(1704164645000L, Positions.ofLsn(0x16B3748L), 771L),
                1704164645123L,
                insertedRow());
    }

    static ChangeEvent update() {
        return ChangeEvent.update(
                logSource(1704164700000L, Positions.ofLsn(0x16B3800L), 772L),
                1704164700050L,
                insertedRow(),
                updatedRow());
    }

    static ChangeEvent delete() {
        return ChangeEvent.delete(
                logSource(1704164800000L, Positions.ofLsn(0x16B3900L), 773L),
                1704164800007L,
                updatedRow());
    }

    static ChangeEvent snapshotRead() {
        SourceInfo source =
                SourceInfo.builder(Connector.TRIGGER, "shop", null, "products")
                        .tsMs(1704160000000L)
                        .snapshot(true)
                        .position(Positions.ofSequence(0))
                        .build();
        return ChangeEvent.read(source, 1704160000001L, snapshotRow());
    }

    static SourceInfo logSource(long tsMs, String position, Long txId) {
        return SourceInfo.builder(Connector.LOG, "shop", "public", "products")
                .tsMs(tsMs)
                .position(position)
                .txId(txId)
                .build();
    }

    /** A row with every mapped type, as JDBC / java.time values. */
    static Map<String, Object> insertedRow() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1001L);
        row.put("qty", -7);
        row.put("active", true);
        row.put("price", new BigDecimal("-1234.5600"));
        row.put("big_count", new BigInteger("18446744073709551615"));
        row.put("ratio", 0.1d);
        row.put("weight", 36.6f);
        row.put("name", "Grüße, \"Welt\"\n");
        row.put("created", LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_000));
        row.put("updated", Timestamp.valueOf("2024-01-02 03:04:05"));
        row.put(
                "seen_at",
                OffsetDateTime.of(2024, 1, 2, 4, 4, 5, 500_000_000, ZoneOffset.ofHours(1)));
        row.put("birthday", LocalDate.of(2024, 2, 29));
        row.put("opens", LocalTime.of(9, 30, 0, 250_000_000));
        row.put("photo", new byte[] {0, 1, 2, (byte) 0xFF});
        row.put("attrs", new JsonText("{\"color\": \"red\", \"sizes\": [1, 2]}"));
        row.put("uid", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        row.put("tags", new String[] {"a", null, "c"});
        row.put("scores", new int[0]);
        row.put("labels", Map.of("k", "v"));
        row.put("note", null);
        row.put("score", Double.NaN);
        return row;
    }

    static Map<String, Object> updatedRow() {
        Map<String, Object> row = insertedRow();
        row.put("qty", (short) 5);
        row.put("active", false);
        row.put("price", new BigDecimal("19.9900"));
        row.put("updated", LocalDateTime.of(2024, 3, 1, 0, 0, 0, 1_000));
        row.put("note", "restocked");
        return row;
    }

    static Map<String, Object> snapshotRow() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", (byte) 1);
        row.put("qty", 0);
        row.put("active", false);
        row.put("price", new BigDecimal("100"));
        row.put("big_count", BigInteger.ZERO);
        row.put("ratio", -2.5e-10);
        row.put("weight", 1.0f);
        row.put("name", "");
        row.put("created", LocalDateTime.of(1999, 12, 31, 23, 59, 59));
        row.put("updated", Timestamp.valueOf("2024-06-30 12:00:00.123456789"));
        row.put("seen_at", Instant.EPOCH);
        row.put("birthday", java.sql.Date.valueOf("2000-02-29"));
        row.put("opens", LocalTime.MIDNIGHT);
        row.put("photo", ByteBuffer.allocate(0));
        row.put("attrs", new JsonText("[]"));
        row.put("uid", new UUID(0, 0));
        row.put("tags", List.of());
        row.put("scores", List.of(1, -2, 3));
        row.put("labels", Map.of());
        row.put("note", null);
        row.put("score", Double.POSITIVE_INFINITY);
        return row;
    }

    /** The text of a golden file. */
    static String read(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden file " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The golden file with the whitespace outside strings removed: what the writer emits. */
    static String compact(String name) {
        return minify(read(name));
    }

    static String minify(String json) {
        StringBuilder out = new StringBuilder(json.length());
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\') {
                    out.append(json.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                out.append(c);
            } else if (!Character.isWhitespace(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
