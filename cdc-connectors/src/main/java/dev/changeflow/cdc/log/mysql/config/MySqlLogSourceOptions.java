package dev.changeflow.cdc.log.mysql.config;

import dev.changeflow.cdc.config.DebeziumProperties;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;
import java.util.List;

/**
 * The options of {@link dev.changeflow.cdc.log.mysql.MySqlLogSource}, declared once. Keys follow
 * Flink CDC's {@code mysql-cdc} SQL connector where it has the same option, and the PostgreSQL
 * source's where the two differ ({@code database-list} and {@code table-list} are lists, as the
 * PostgreSQL source's {@code schema-list} and {@code table-list}). Debezium properties are passed
 * with the {@link #DEBEZIUM_PREFIX} prefix.
 */
public final class MySqlLogSourceOptions {

    /** Prefix of pass-through Debezium properties, e.g. {@code debezium.snapshot.fetch.size}. */
    public static final String DEBEZIUM_PREFIX = DebeziumProperties.PREFIX;

    /** Host name or address of the MariaDB/MySQL server. */
    public static final ConfigOption<String> HOSTNAME =
            ConfigOptions.key("hostname")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Host name or address of the MariaDB/MySQL server.");

    /** Port of the server. */
    public static final ConfigOption<Integer> PORT =
            ConfigOptions.key("port")
                    .intType()
                    .defaultValue(3306)
                    .withDescription("Port of the MariaDB/MySQL server.");

    /** User to connect as. */
    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "User to connect as; needs REPLICATION SLAVE and REPLICATION CLIENT"
                                    + " (MariaDB: BINLOG MONITOR) on *.* and SELECT on the"
                                    + " captured tables.");

    /** Password of the user. */
    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("password")
                    .stringType()
                    .defaultValue("")
                    .withDescription("Password of the user.");

    /** Databases to capture; defaults to the databases named in {@link #TABLE_LIST}. */
    public static final ConfigOption<List<String>> DATABASE_LIST =
            ConfigOptions.key("database-list")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Databases to capture (Flink CDC regular expressions); defaults to"
                                    + " the databases named in table-list.");

    /** Tables to capture as {@code database.table}. */
    public static final ConfigOption<List<String>> TABLE_LIST =
            ConfigOptions.key("table-list")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Tables to capture, as database.table (Flink CDC regular expressions;"
                                    + " each must match at least one existing table).");

    /** Binlog client id, or range of ids, one per parallel reader. */
    public static final ConfigOption<String> SERVER_ID =
            ConfigOptions.key("server-id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Binlog client id such as 5400, or range such as 5400-5403: every"
                                    + " parallel reader connects as a replica with an id of its"
                                    + " own, so the range needs at least as many ids as the"
                                    + " source's parallelism, unused by other replicas of the"
                                    + " server. Default: a random id in 5400-6400 per reader.");

    /** The server's session time zone, used to read TIMESTAMP and DATETIME columns. */
    public static final ConfigOption<String> SERVER_TIME_ZONE =
            ConfigOptions.key("server-time-zone")
                    .stringType()
                    .defaultValue("UTC")
                    .withDescription(
                            "Time zone of the server (a java.time zone id, e.g. UTC or"
                                    + " Europe/Berlin); must match the server's time_zone, which"
                                    + " the preflight checks. Snapshot reads of TIMESTAMP"
                                    + " columns would shift otherwise.");

    /** Where to start reading. */
    public static final ConfigOption<StartupMode> STARTUP_MODE =
            ConfigOptions.key("scan.startup.mode")
                    .enumType(StartupMode.class)
                    .defaultValue(StartupMode.INITIAL)
                    .withDescription(
                            "initial: snapshot then stream; latest: stream from the end of the"
                                    + " binlog; earliest: stream from the oldest binlog file;"
                                    + " timestamp: stream from scan.startup.timestamp-millis;"
                                    + " snapshot_only: snapshot and finish.");

    /** Start time for {@link StartupMode#TIMESTAMP}, epoch milliseconds. */
    public static final ConfigOption<Long> STARTUP_TIMESTAMP_MILLIS =
            ConfigOptions.key("scan.startup.timestamp-millis")
                    .longType()
                    .noDefaultValue()
                    .withDescription(
                            "With scan.startup.mode = timestamp: stream from the first binlog"
                                    + " event at or after this epoch millisecond.");

    /** Rows per snapshot chunk. */
    public static final ConfigOption<Integer> SPLIT_SIZE =
            ConfigOptions.key("scan.incremental.snapshot.chunk.size")
                    .intType()
                    .defaultValue(8096)
                    .withDescription("Rows per snapshot chunk (split).");

    /** Interval of binlog heartbeats, which keep the reader's offset moving while tables idle. */
    public static final ConfigOption<Duration> HEARTBEAT_INTERVAL =
            ConfigOptions.key("heartbeat.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "Interval of binlog heartbeat events, which advance the checkpointed"
                                    + " binlog position while the captured tables are idle.");

    /** Timeout of connecting to the server. */
    public static final ConfigOption<Duration> CONNECT_TIMEOUT =
            ConfigOptions.key("connect.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription("Timeout of connecting to the server (preflight and source).");

    /** Whether {@code build()} checks the server, the user and the tables. */
    public static final ConfigOption<Boolean> PREFLIGHT =
            ConfigOptions.key("preflight.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Check the credentials, log_bin, binlog_format, binlog_row_image, the"
                                    + " user's privileges, the tables and the time zone when the"
                                    + " source is built. Disable only to build a job graph"
                                    + " offline.");

    private MySqlLogSourceOptions() {}

    /** Every option, in the order {@code --help} and the README list them. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                HOSTNAME,
                PORT,
                USERNAME,
                PASSWORD,
                DATABASE_LIST,
                TABLE_LIST,
                SERVER_ID,
                SERVER_TIME_ZONE,
                STARTUP_MODE,
                STARTUP_TIMESTAMP_MILLIS,
                SPLIT_SIZE,
                HEARTBEAT_INTERVAL,
                CONNECT_TIMEOUT,
                PREFLIGHT);
    }
}
