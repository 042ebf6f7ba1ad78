package dev.changeflow.cdc.log.postgres.config;

/**
 * What to do with a captured table whose {@code REPLICA IDENTITY} is not {@code FULL}. Without it
 * PostgreSQL logs no old row, so updates and deletes would carry no (or a key-only) {@code before},
 * which the change-event contract and Flink's {@code debezium-json} reject.
 */
public enum ReplicaIdentityMode {
    /** Fail before starting, naming the tables and the {@code ALTER TABLE} to run. */
    CHECK,
    /** Run {@code ALTER TABLE ... REPLICA IDENTITY FULL} on such tables (needs table ownership). */
    AUTO
}
