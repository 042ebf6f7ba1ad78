package dev.changeflow.cdc.log.postgres.config;

import dev.changeflow.cdc.config.DebeziumProperties;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;
import java.util.List;

/**
 * The options of {@link dev.changeflow.cdc.log.postgres.PostgresLogSource}, declared once. Keys
 * follow Flink CDC's {@code postgres-cdc} SQL connector where it has the same option. Debezium
 * properties are passed with the {@link #DEBEZIUM_PREFIX} prefix.
 */
public final class PostgresLogSourceOptions {

    /** Prefix of pass-through Debezium properties, e.g. {@code debezium.slot.drop.on.stop}. */
    public static final String DEBEZIUM_PREFIX = DebeziumProperties.PREFIX;

    /** Host name or address of the PostgreSQL server. */
    public static final ConfigOption<String> HOSTNAME =
            ConfigOptions.key("hostname")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Host name or address of the PostgreSQL server.");

    /** Port of the PostgreSQL server. */
    public static final ConfigOption<Integer> PORT =
            ConfigOptions.key("port")
                    .intType()
                    .defaultValue(5432)
                    .withDescription("Port of the PostgreSQL server.");

    /** The database whose tables are captured. */
    public static final ConfigOption<String> DATABASE =
            ConfigOptions.key("database-name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The database whose tables are captured.");

    /** User to connect as; needs LOGIN, REPLICATION and SELECT on the captured tables. */
    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "User to connect as; needs LOGIN, REPLICATION and SELECT on the"
                                    + " captured tables (and ownership of them to create the"
                                    + " publication).");

    /** Password of the user. */
    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("password")
                    .stringType()
                    .defaultValue("")
                    .withDescription("Password of the user.");

    /** Schemas to capture; defaults to the schemas named in {@link #TABLE_LIST}. */
    public static final ConfigOption<List<String>> SCHEMA_LIST =
            ConfigOptions.key("schema-list")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Schemas to capture; defaults to the schemas named in table-list.");

    /** Tables to capture as {@code schema.table}. */
    public static final ConfigOption<List<String>> TABLE_LIST =
            ConfigOptions.key("table-list")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Tables to capture, as schema.table (Flink CDC regular expressions;"
                                    + " each must match at least one existing table).");

    /** Name of the logical replication slot; lower-case letters, digits and underscores. */
    public static final ConfigOption<String> SLOT_NAME =
            ConfigOptions.key("slot.name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Name of the logical replication slot (pgoutput), created if missing;"
                                    + " lower-case letters, digits and underscores. Use one slot"
                                    + " per source.");

    /** Name of the publication; defaults to {@code <slot.name>_pub}. */
    public static final ConfigOption<String> PUBLICATION_NAME =
            ConfigOptions.key("publication.name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Name of the pgoutput publication, default <slot.name>_pub. Created"
                                    + " for exactly the captured tables if missing; captured"
                                    + " tables missing from an existing one are added.");

    /** Where to start reading. */
    public static final ConfigOption<StartupMode> STARTUP_MODE =
            ConfigOptions.key("scan.startup.mode")
                    .enumType(StartupMode.class)
                    .defaultValue(StartupMode.INITIAL)
                    .withDescription(
                            "initial: snapshot then stream; latest: stream only; snapshot_only:"
                                    + " snapshot and finish.");

    /**
     * Not supported, rejected by {@code build()}: PostgreSQL logical decoding cannot start at a
     * point in time (see {@link PostgresLogSourceConfig#TIMESTAMP_STARTUP_UNSUPPORTED}).
     */
    public static final ConfigOption<Long> STARTUP_TIMESTAMP_MILLIS =
            ConfigOptions.key("scan.startup.timestamp-millis")
                    .longType()
                    .noDefaultValue()
                    .withDescription(
                            "Not supported for PostgreSQL and rejected (as is scan.startup.mode ="
                                    + " timestamp): logical decoding streams a slot from its"
                                    + " confirmed LSN and cannot start at a point in time. Use"
                                    + " initial or latest, or restore from a checkpoint or"
                                    + " savepoint.");

    /** Rows per snapshot chunk. */
    public static final ConfigOption<Integer> SPLIT_SIZE =
            ConfigOptions.key("scan.incremental.snapshot.chunk.size")
                    .intType()
                    .defaultValue(8096)
                    .withDescription("Rows per snapshot chunk (split).");

    /**
     * Interval of Debezium heartbeats, which let the slot's confirmed LSN advance while the
     * captured tables are idle and other tables are written; 0 disables them.
     */
    public static final ConfigOption<Duration> HEARTBEAT_INTERVAL =
            ConfigOptions.key("heartbeat.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "Interval of Debezium heartbeats (0 disables them). A heartbeat after"
                                    + " the last captured transaction records its commit LSN;"
                                    + " once a checkpoint confirms that LSN to the slot, the"
                                    + " PostgreSQL driver confirms the server's keep-alive"
                                    + " positions too, so the slot's confirmed_flush_lsn and"
                                    + " retained WAL keep up while the captured tables are idle"
                                    + " and other tables are written. Without heartbeats the"
                                    + " slot stays at the last captured change.");

    /** What to do with captured tables that lack {@code REPLICA IDENTITY FULL}. */
    public static final ConfigOption<ReplicaIdentityMode> REPLICA_IDENTITY =
            ConfigOptions.key("replica-identity.mode")
                    .enumType(ReplicaIdentityMode.class)
                    .defaultValue(ReplicaIdentityMode.CHECK)
                    .withDescription(
                            "check: fail if a captured table lacks REPLICA IDENTITY FULL; auto:"
                                    + " ALTER TABLE ... REPLICA IDENTITY FULL such tables.");

    /** Whether {@code build()} checks the server, user and tables (and sets them up). */
    public static final ConfigOption<Boolean> PREFLIGHT =
            ConfigOptions.key("preflight.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Check wal_level, the user's privileges, the tables and their replica"
                                    + " identity, and create the publication, when the source is"
                                    + " built. Disable only to build a job graph offline.");

    private PostgresLogSourceOptions() {}

    /** Every option, in the order {@code --help} and the README list them. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                HOSTNAME,
                PORT,
                DATABASE,
                USERNAME,
                PASSWORD,
                SCHEMA_LIST,
                TABLE_LIST,
                SLOT_NAME,
                PUBLICATION_NAME,
                STARTUP_MODE,
                SPLIT_SIZE,
                HEARTBEAT_INTERVAL,
                REPLICA_IDENTITY,
                PREFLIGHT);
    }
}
