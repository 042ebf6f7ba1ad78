package dev.changeflow.cli.verify;

import java.util.List;
import java.util.Map;

/**
 * What verifying one table against one sink found.
 *
 * @param table the table, {@code schema.table} or {@code db.table}
 * @param sink {@code kafka}, {@code redis}, {@code elasticsearch} or {@code s3}
 * @param target the topic, key pattern, index or path
 * @param columns the compared columns
 * @param databaseRows rows in the database
 * @param sinkRows rows the sink holds
 * @param missing rows the sink lacks
 * @param extra rows only the sink holds
 * @param different rows the sink holds with other values
 * @param tooRecent rows that changed in the database while the sink had not caught up yet
 * @param caughtUp rows that differed at first and matched once the sink had caught up
 * @param unreadable records of the sink that are not rows of the table
 * @param rows the differing rows (the first ones, up to the listing limit)
 */
public record Result(
        String table,
        String sink,
        String target,
        List<String> columns,
        long databaseRows,
        long sinkRows,
        long missing,
        long extra,
        long different,
        long tooRecent,
        long caughtUp,
        long unreadable,
        List<Difference> rows) {

    /** Whether the sink holds exactly what the database holds. */
    public boolean ok() {
        return missing == 0 && extra == 0 && different == 0 && unreadable == 0;
    }

    /** One row that differs. */
    public record Difference(
            Kind kind,
            Map<String, Object> key,
            List<ColumnDifference> columns,
            boolean tooRecent) {}

    /** A column whose values differ: the database's text form and the sink's. */
    public record ColumnDifference(String column, String database, String sink) {}

    /** How a row differs. */
    public enum Kind {
        MISSING,
        EXTRA,
        DIFFERENT;

        String word() {
            return name().toLowerCase();
        }
    }
}
