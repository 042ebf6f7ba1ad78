package dev.changeflow.schemas;

import javax.annotation.Nullable;

/**
 * Where and when a change happened: the {@code source} block of a {@link ChangeEvent}.
 *
 * <p>The JSON names are Debezium's: {@code connector}, {@code db}, {@code schema}, {@code table},
 * {@code ts_ms}, {@code snapshot}, {@code position}, {@code txId}. Flink SQL's {@code
 * debezium-json} format exposes them as the metadata columns {@code source.database}, {@code
 * source.schema}, {@code source.table}, {@code source.timestamp} and {@code source.properties}.
 *
 * @param connector how the change was captured
 * @param db the database name
 * @param schema the schema (PostgreSQL namespace); {@code null} for MariaDB/MySQL, which have none
 * @param table the table name
 * @param tsMs when the change happened in the database (commit time where known), epoch millis
 * @param snapshot whether the row was read by a snapshot rather than captured as a change
 * @param position the per-table position of the change, comparable with {@link String#compareTo};
 *     build it with {@link Positions}
 * @param txId the database transaction id where the database has one, else {@code null}
 */
public record SourceInfo(
        Connector connector,
        String db,
        @Nullable String schema,
        String table,
        long tsMs,
        boolean snapshot,
        String position,
        @Nullable Long txId) {

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException naming the first invalid field
     */
    public SourceInfo {
        if (connector == null) {
            throw new IllegalArgumentException("source.connector must not be null");
        }
        requireText("source.db", db);
        if (schema != null && schema.isBlank()) {
            throw new IllegalArgumentException(
                    "source.schema must be null (MariaDB/MySQL) or non-blank, got '"
                            + schema
                            + "'");
        }
        requireText("source.table", table);
        if (tsMs < 0) {
            throw new IllegalArgumentException(
                    "source.ts_ms must be epoch milliseconds >= 0, got " + tsMs);
        }
        requireText("source.position", position);
    }

    /** Starts a builder for a change of the given table. */
    public static Builder builder(
            Connector connector, String db, @Nullable String schema, String table) {
        return new Builder(connector, db, schema, table);
    }

    /** Returns a builder pre-filled with this source's fields. */
    public Builder toBuilder() {
        return new Builder(connector, db, schema, table)
                .tsMs(tsMs)
                .snapshot(snapshot)
                .position(position)
                .txId(txId);
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    field
                            + " must be non-blank, got "
                            + (value == null ? "null" : "'" + value + "'"));
        }
    }

    /** Builder for {@link SourceInfo}; {@link #position(String)} and {@link #tsMs} are required. */
    public static final class Builder {
        private final Connector connector;
        private final String db;
        @Nullable private final String schema;
        private final String table;
        private long tsMs = -1;
        private boolean snapshot;
        private String position;
        @Nullable private Long txId;

        private Builder(Connector connector, String db, @Nullable String schema, String table) {
            this.connector = connector;
            this.db = db;
            this.schema = schema;
            this.table = table;
        }

        /** When the change happened in the database, epoch milliseconds. */
        public Builder tsMs(long tsMs) {
            this.tsMs = tsMs;
            return this;
        }

        /** Whether the row comes from a snapshot read (default {@code false}). */
        public Builder snapshot(boolean snapshot) {
            this.snapshot = snapshot;
            return this;
        }

        /** The per-table position, see {@link Positions}. */
        public Builder position(String position) {
            this.position = position;
            return this;
        }

        /** The transaction id, or {@code null} where the database has none. */
        public Builder txId(@Nullable Long txId) {
            this.txId = txId;
            return this;
        }

        /**
         * Builds the {@link SourceInfo}.
         *
         * @throws IllegalArgumentException naming the first missing or invalid field
         */
        public SourceInfo build() {
            return new SourceInfo(connector, db, schema, table, tsMs, snapshot, position, txId);
        }
    }
}
