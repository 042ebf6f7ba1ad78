package dev.changeflow.cdc.log.mysql.config;

/** Where a MariaDB/MySQL log-based source starts reading. */
public enum StartupMode {
    /** Snapshot the captured tables ({@code r} events), then stream changes from the binlog. */
    INITIAL,
    /** Skip the snapshot and stream changes from the current end of the binlog. */
    LATEST,
    /** Skip the snapshot and stream from the oldest binlog file the server still has. */
    EARLIEST,
    /**
     * Skip the snapshot and stream from the first binlog event at or after {@code
     * scan.startup.timestamp-millis} (binlog timestamps have whole seconds).
     */
    TIMESTAMP,
    /** Snapshot the captured tables and finish (a bounded source). */
    SNAPSHOT_ONLY
}
