package dev.changeflow.cli.cluster;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many rows the database thinks each of its tables holds, from its statistics (no table is
 * scanned): what a snapshot's progress is measured against. PostgreSQL: the statistics collector's
 * live tuples ({@code pg_stat_user_tables.n_live_tup}, kept on every commit), else the planner's
 * {@code pg_class.reltuples} (-1 until the table was analysed); MariaDB/MySQL: {@code
 * information_schema.TABLES.TABLE_ROWS} (InnoDB's sampled estimate).
 */
public final class TableEstimates {

    private TableEstimates() {}

    /**
     * {@code schema.table} (PostgreSQL) or {@code db.table} (MariaDB/MySQL) to estimated rows, -1
     * where the database has no estimate, for every user table.
     */
    public static Map<String, Long> read(Connection connection, boolean postgres)
            throws SQLException {
        String sql =
                postgres
                        ? "SELECT n.nspname || '.' || c.relname,"
                                + " CASE WHEN s.n_live_tup > 0 THEN s.n_live_tup"
                                + " ELSE GREATEST(c.reltuples, -1)::bigint END"
                                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
                                + " WHERE c.relkind IN ('r', 'p')"
                                + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                                + " AND n.nspname NOT LIKE 'pg\\_toast%'"
                        : "SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME), COALESCE(TABLE_ROWS, -1)"
                                + " FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'"
                                + " AND TABLE_SCHEMA NOT IN"
                                + " ('mysql', 'information_schema', 'performance_schema', 'sys')";
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getLong(2));
            }
        }
        return rows;
    }
}
