package dev.changeflow.cdc.log;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rows of the MariaDB type matrix (the columns of TYPES.md) as the sources' tests write them:
 * temporal values as SQL text (TIMESTAMP in UTC), BIT(16) as its number.
 */
public final class MariaDbTypeRows {

    private MariaDbTypeRows() {}

    /** One row of every mapped MariaDB type (the values the sources' type tests expect back). */
    public static Map<String, Object> valuesA() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("c_numeric", new BigDecimal("-12345.678"));
        v.put("c_int", -42);
        v.put("c_bigint", 9007199254740993L);
        v.put("c_bool", true);
        v.put("c_text", "h\u00e9llo \"quoted\"\n\ttab");
        v.put("c_varchar", "abc");
        v.put("c_date", LocalDate.of(2024, 2, 29));
        v.put("c_time", LocalTime.of(13, 14, 15, 123_456_000));
        v.put("c_ts", LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000));
        v.put("c_tstz", OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000, ZoneOffset.ofHours(2)));
        v.put("c_json", "{\"b\": 1,  \"a\": [1, 2]}");
        v.put("c_uuid", "123e4567-e89b-12d3-a456-426614174000");
        v.put("c_bytea", new byte[] {0, 1, -1, 127});
        v.put("c_tinyint", (byte) -128);
        v.put("c_smallint", (short) 32767);
        v.put("c_mediumint", -8388608);
        v.put("c_int_unsigned", 4294967295L);
        v.put("c_bigint_unsigned", new BigInteger("18446744073709551615"));
        v.put("c_float", 36.6f);
        v.put("c_double", 0.1d);
        v.put("c_char", "xyz");
        v.put("c_enum", "b");
        v.put("c_set", "x,y");
        v.put("c_bit1", true);
        v.put("c_bit", new byte[] {0x0A, (byte) 0xBC});
        v.put("c_blob", "Gr\u00fc\u00dfe".getBytes(StandardCharsets.UTF_8));
        v.put("c_binary", new byte[] {1, 2, 3, 4});
        v.put("c_ts3", LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_000_000));
        v.put("c_ts0", LocalDateTime.of(2024, 1, 2, 3, 4, 5));
        v.put("c_time0", LocalTime.of(23, 59, 59));
        return v;
    }

    /** The same columns, all NULL. */
    public static Map<String, Object> nulls(Map<String, Object> values) {
        Map<String, Object> v = new LinkedHashMap<>();
        values.keySet().forEach(column -> v.put(column, null));
        return v;
    }

    /** Inserts row {@code id} with the given column values into {@code table}. */
    public static void insert(Connection c, String table, int id, Map<String, Object> values)
            throws SQLException {
        String sql =
                "INSERT INTO "
                        + table
                        + " (id, "
                        + String.join(", ", values.keySet())
                        + ") VALUES (?"
                        + ", ?".repeat(values.size())
                        + ")";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, id);
            int i = 2;
            for (Map.Entry<String, Object> column : values.entrySet()) {
                Object value = column.getValue();
                if (value == null) {
                    ps.setNull(i, java.sql.Types.NULL);
                } else if (column.getKey().equals("c_bit")) {
                    byte[] bits = (byte[]) value;
                    ps.setInt(i, ((bits[0] & 0xFF) << 8) | (bits[1] & 0xFF));
                } else if (value instanceof OffsetDateTime) {
                    ps.setString(
                            i,
                            sqlText(
                                    ((OffsetDateTime) value)
                                            .withOffsetSameInstant(ZoneOffset.UTC)
                                            .toLocalDateTime()));
                } else if (value instanceof LocalDateTime) {
                    ps.setString(i, sqlText((LocalDateTime) value));
                } else if (value instanceof LocalDate || value instanceof LocalTime) {
                    ps.setString(i, value.toString());
                } else if (value instanceof BigInteger) {
                    ps.setBigDecimal(i, new BigDecimal((BigInteger) value));
                } else {
                    ps.setObject(i, value);
                }
                i++;
            }
            ps.executeUpdate();
        }
    }

    private static String sqlText(LocalDateTime value) {
        return value.toLocalDate() + " " + value.toLocalTime();
    }
}
