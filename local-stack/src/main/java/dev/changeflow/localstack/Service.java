package dev.changeflow.localstack;

/** The servers the local stack can run, in start order. */
public enum Service {
    KAFKA,
    POSTGRES,
    MARIADB,
    REDIS,
    ELASTICSEARCH,
    S3,
    FLINK;

    /** Lower-case name used on the command line and in printed endpoints. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
