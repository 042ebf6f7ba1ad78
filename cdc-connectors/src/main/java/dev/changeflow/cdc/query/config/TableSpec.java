package dev.changeflow.cdc.query.config;

import javax.annotation.Nullable;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one table is polled, as written in {@link QuerySourceOptions#TABLES}:
 *
 * <ul>
 *   <li>{@code public.orders:incrementing=id}: new rows by the incrementing column {@code id};
 *   <li>{@code public.customers:timestamp=updated_at,id}: changed rows by {@code updated_at}, ties
 *       broken by {@code id} (an integer column, usually the primary key);
 *   <li>{@code public.customers:timestamp=updated_at}: the tie-breaker is the table's single-column
 *       primary key;
 *   <li>{@code timestamp+incrementing=updated_at,id}: the same as {@code timestamp=updated_at,id}
 *       (Kafka Connect's name for it).
 * </ul>
 *
 * @param table {@code schema.table} or {@code db.table}
 * @param mode how the table is polled
 * @param column the incrementing column, or the timestamp column
 * @param tieBreaker the timestamp mode's tie-breaker column, or null to take the primary key
 */
public record TableSpec(String table, TableMode mode, String column, @Nullable String tieBreaker)
        implements Serializable {

    public TableSpec {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(column, "column");
        if (mode == TableMode.INCREMENTING && tieBreaker != null) {
            throw new IllegalArgumentException(
                    "incrementing mode of " + table + " takes one column, got a tie-breaker");
        }
    }

    /**
     * Parses {@code entries} separated by {@code ;} (or new lines), by table in the given order.
     *
     * @throws IllegalArgumentException naming the entry and the expected form
     */
    public static Map<String, TableSpec> parseAll(String entries) {
        Map<String, TableSpec> specs = new LinkedHashMap<>();
        if (entries == null) {
            return specs;
        }
        for (String entry : entries.split("[;\\n]")) {
            if (entry.isBlank()) {
                continue;
            }
            TableSpec spec = parse(entry.trim());
            if (specs.put(spec.table(), spec) != null) {
                throw new IllegalArgumentException(
                        "query.tables names " + spec.table() + " twice; give one mode per table");
            }
        }
        return specs;
    }

    /**
     * Parses one entry, {@code <table>:<mode>=<column>[,<tie-breaker>]}.
     *
     * @throws IllegalArgumentException naming the entry and the expected form
     */
    public static TableSpec parse(String entry) {
        int colon = entry.lastIndexOf(':');
        int equals = entry.indexOf('=', Math.max(colon, 0));
        if (colon <= 0 || equals < 0) {
            throw invalid(entry, "missing ':' or '='");
        }
        String table = entry.substring(0, colon).trim();
        String mode = entry.substring(colon + 1, equals).trim().toLowerCase(java.util.Locale.ROOT);
        List<String> columns = new ArrayList<>();
        for (String column : entry.substring(equals + 1).split(",")) {
            if (column.isBlank()) {
                throw invalid(entry, "empty column name");
            }
            columns.add(column.trim());
        }
        if (!table.contains(".") || table.startsWith(".") || table.endsWith(".")) {
            throw invalid(entry, "the table must be qualified (schema.table or db.table)");
        }
        switch (mode) {
            case "incrementing":
                if (columns.size() != 1) {
                    throw invalid(entry, "incrementing takes exactly one column");
                }
                return new TableSpec(table, TableMode.INCREMENTING, columns.get(0), null);
            case "timestamp":
            case "timestamp+incrementing":
                if (columns.size() > 2) {
                    throw invalid(entry, "timestamp takes a column and an optional tie-breaker");
                }
                return new TableSpec(
                        table,
                        TableMode.TIMESTAMP,
                        columns.get(0),
                        columns.size() == 2 ? columns.get(1) : null);
            default:
                throw invalid(entry, "unknown mode '" + mode + "'");
        }
    }

    private static IllegalArgumentException invalid(String entry, String why) {
        return new IllegalArgumentException(
                "invalid query.tables entry '"
                        + entry
                        + "' ("
                        + why
                        + "): expected <schema.table>:incrementing=<column> or"
                        + " <schema.table>:timestamp=<column>[,<tie-breaker column>]");
    }
}
