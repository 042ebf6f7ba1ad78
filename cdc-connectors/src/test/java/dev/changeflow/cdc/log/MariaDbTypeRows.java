package dev.changeflow.cdc.log;

import java.math.BigDecimal;
import java.math.BigInteger;
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
