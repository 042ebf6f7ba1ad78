package dev.changeflow.cli.verify;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A captured table as verification sees it: its names, its columns in table order with the kind of
 * value each holds, and its primary key.
 *
 * @param qualified {@code schema.table} (PostgreSQL) or {@code db.table} (MariaDB/MySQL)
 * @param database the database the change topics are named after
 * @param schema the schema (PostgreSQL) or null (MariaDB/MySQL)
 * @param name the table name
 * @param columns every column, in table order, with its kind
 * @param key the primary key columns, in key order
 */
public record TableShape(
        String qualified,
        String database,
        String schema,
        String name,
        Map<String, ColumnKind> columns,
        List<String> key) {

    /** How values of a column are compared. */
    public enum ColumnKind {
        /** Integers and decimals: compared as numbers ({@code 12.5} equals {@code 12.50}). */
        NUMBER,
        BOOLEAN,
        /** Timestamps: as text, or as epoch milliseconds where a sink keeps numbers. */
        TIMESTAMP,
        /** json/jsonb: compared as JSON (whitespace aside). */
        JSON,
        /** Everything else, compared as the envelope writes it. */
        TEXT
    }

    public TableShape {
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        key = List.copyOf(key);
    }

    /**
     * What {@code byTable} holds for this table, given by its qualified or its plain name (the
     * qualified one wins), or null.
     */
    public <V> V in(Map<String, V> byTable) {
        V value = byTable.get(qualified);
        return value != null ? value : byTable.get(name);
    }

    /** Whether {@code column} is a key column. */
    public boolean isKey(String column) {
        return key.contains(column);
    }
}
