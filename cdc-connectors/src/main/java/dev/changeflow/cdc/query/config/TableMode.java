package dev.changeflow.cdc.query.config;

/** How a table is polled. */
public enum TableMode {
    /**
     * New rows by a sequence-backed (PostgreSQL) or AUTO_INCREMENT (MariaDB) column: sees inserts
     * only.
     */
    INCREMENTING,
    /**
     * Changed rows by a last-modified timestamp column set by the database, ties broken by an
     * integer column (usually the incrementing primary key: Kafka Connect's
     * timestamp+incrementing).
     */
    TIMESTAMP
}
