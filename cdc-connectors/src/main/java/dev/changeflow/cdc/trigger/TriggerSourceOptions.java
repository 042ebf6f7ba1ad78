package dev.changeflow.cdc.trigger;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;
import java.util.List;

/**
 * The options of {@link TriggerSource} and {@link TriggerInstaller}, declared once. Connection keys
 * are the log sources' ({@code hostname}, {@code port}, {@code database-name}, {@code username},
 * {@code password}, {@code table-list}); trigger-specific ones start with {@code trigger.}.
 */
public final class TriggerSourceOptions {

    /** Which database the triggers and the audit table live in. */
    public enum DialectKind {
        /** PostgreSQL 13 or later ({@code xid8}, {@code pg_current_snapshot()}). */
        POSTGRES,
        /** MariaDB (10.5 or later) or MySQL 8. */
        MYSQL
    }

    /** Where a new source starts. */
    public enum StartupMode {
        /** Snapshot of the captured tables ({@code r} events), then the changes after it. */
        INITIAL,
        /** Only the changes committed after the source started. */
        LATEST
    }

    public static final ConfigOption<DialectKind> DIALECT =
            ConfigOptions.key("trigger.dialect")
                    .enumType(DialectKind.class)
                    .defaultValue(DialectKind.POSTGRES)
                    .withDescription("The database: postgres or mysql (MariaDB/MySQL).");

    public static final ConfigOption<String> HOSTNAME =
            ConfigOptions.key("hostname")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Host name or address of the database server.");

    public static final ConfigOption<Integer> PORT =
            ConfigOptions.key("port")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Port of the server; default 5432 (postgres) or 3306 (mysql).");

    public static final ConfigOption<String> DATABASE =
            ConfigOptions.key("database-name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The database whose tables are captured; on MariaDB/MySQL also the"
                                    + " database of the audit table, and it defaults to the"
                                    + " database of the tables (db.table).");

    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "User to connect as; the source needs SELECT on the captured tables"
                                    + " and SELECT, DELETE on the audit table (MariaDB/MySQL also"
                                    + " PROCESS); the installer TRIGGER and CREATE.");

    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("password")
                    .stringType()
                    .defaultValue("")
                    .withDescription("Password of the user.");

    public static final ConfigOption<List<String>> TABLE_LIST =
            ConfigOptions.key("table-list")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Tables to capture, exact names: schema.table (postgres) or db.table"
                                    + " (mysql, db = database-name).");

    public static final ConfigOption<String> AUDIT_TABLE =
            ConfigOptions.key("trigger.audit-table")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The audit table the triggers write: default"
                                    + " changeflow.changeflow_audit (postgres, schema.table) or"
                                    + " changeflow_audit in database-name (mysql).");

    public static final ConfigOption<Duration> POLL_INTERVAL =
            ConfigOptions.key("trigger.poll.interval")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription(
                            "Pause between two polls of the audit table when the last one found"
                                    + " less than a batch.");

    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOptions.key("trigger.batch.size")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Audit rows read per poll at most (LIMIT).");

    public static final ConfigOption<Boolean> PURGE_ENABLED =
            ConfigOptions.key("trigger.purge.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Delete consumed audit rows once a checkpoint covering them completes.");

    public static final ConfigOption<Duration> PURGE_RETENTION =
            ConfigOptions.key("trigger.purge.retention")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription(
                            "Consumed audit rows younger than this are kept (for inspection);"
                                    + " 0 purges them as soon as a checkpoint covers them.");

    public static final ConfigOption<StartupMode> STARTUP_MODE =
            ConfigOptions.key("scan.startup.mode")
                    .enumType(StartupMode.class)
                    .defaultValue(StartupMode.INITIAL)
                    .withDescription(
                            "initial: consistent snapshot of the tables, then changes; latest:"
                                    + " changes committed after the start only.");

    public static final ConfigOption<Boolean> PREFLIGHT =
            ConfigOptions.key("preflight.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Check that the triggers are installed for every listed table when"
                                    + " the source is built.");

    private TriggerSourceOptions() {}

    /** Every option, in the order {@code --help} lists them. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                DIALECT,
                HOSTNAME,
                PORT,
                DATABASE,
                USERNAME,
                PASSWORD,
                TABLE_LIST,
                AUDIT_TABLE,
                STARTUP_MODE,
                POLL_INTERVAL,
                BATCH_SIZE,
                PURGE_ENABLED,
                PURGE_RETENTION,
                PREFLIGHT);
    }
}
