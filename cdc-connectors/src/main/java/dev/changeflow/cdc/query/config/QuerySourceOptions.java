package dev.changeflow.cdc.query.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;
import java.util.List;

/**
 * The options of {@link dev.changeflow.cdc.query.QuerySource}, declared once. Connection keys are
 * the log sources' ({@code hostname}, {@code port}, {@code database-name}, ...); the polling keys
 * start with {@code query.}.
 */
public final class QuerySourceOptions {

    /** Which database the source polls. */
    public static final ConfigOption<QueryDialect> DIALECT =
            ConfigOptions.key("query.dialect")
                    .enumType(QueryDialect.class)
                    .defaultValue(QueryDialect.POSTGRES)
                    .withDescription("postgres, or mariadb (also MySQL).");

    /** Host name or address of the server. */
    public static final ConfigOption<String> HOSTNAME =
            ConfigOptions.key("hostname")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Host name or address of the database server.");

    /** Port of the server; 5432 for PostgreSQL, 3306 for MariaDB when not set. */
    public static final ConfigOption<Integer> PORT =
            ConfigOptions.key("port")
                    .intType()
                    .noDefaultValue()
                    .withDescription("Port of the server (default 5432 postgres, 3306 mariadb).");

    /** The database whose tables are polled. */
    public static final ConfigOption<String> DATABASE =
            ConfigOptions.key("database-name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The database whose tables are polled; on MariaDB/MySQL it defaults to"
                                    + " the database of the tables (db.table).");

    /** User to connect as. */
    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "User to connect as; needs SELECT on the polled tables (and their"
                                    + " sequences) and the right to see other sessions'"
                                    + " transactions: pg_read_all_stats on PostgreSQL, PROCESS on"
                                    + " MariaDB/MySQL.");

    /** Password of the user. */
    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("password")
                    .stringType()
                    .defaultValue("")
                    .withDescription("Password of the user.");

    /**
     * Tables to poll ({@code schema.table} on PostgreSQL, {@code db.table} on MariaDB), exact
     * names; defaults to the tables of {@link #TABLES}.
     */
    public static final ConfigOption<List<String>> TABLE_LIST =
            ConfigOptions.key("table-list")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Tables to poll, schema.table (PostgreSQL) or db.table (MariaDB),"
                                    + " exact names; defaults to the tables named in"
                                    + " query.tables. Each needs a mode in query.tables.");

    /** Per-table mode: see {@link TableSpec#parseAll(String)}. */
    public static final ConfigOption<String> TABLES =
            ConfigOptions.key("query.tables")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "How each table is polled, entries separated by ';':"
                                    + " 'public.orders:incrementing=id' (new rows by a"
                                    + " sequence-backed column), 'public.customers:timestamp="
                                    + "updated_at,id' (changed rows by a last-modified column"
                                    + " set by the database, the second column breaking ties;"
                                    + " defaults to the single-column primary key).");

    /** Pause between two polls of a table that had nothing new. */
    public static final ConfigOption<Duration> POLL_INTERVAL =
            ConfigOptions.key("query.poll.interval")
                    .durationType()
                    .defaultValue(Duration.ofMillis(500))
                    .withDescription(
                            "Pause between two polls of a table that returned less than a batch.");

    /** Rows per query (LIMIT). */
    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOptions.key("query.batch.size")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Rows per query (LIMIT) for snapshot pages and polls.");

    /** Subtracted from the commit-safe horizon to cover clock granularity and start races. */
    public static final ConfigOption<Duration> HORIZON_MARGIN =
            ConfigOptions.key("query.horizon.margin")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "Safety margin subtracted from the commit-safe horizon of timestamp"
                                    + " tables: covers a statement whose timestamp was taken just"
                                    + " before its transaction became visible in"
                                    + " pg_stat_activity / innodb_trx (whole seconds there).");

    /** Column marking soft-deleted rows. */
    public static final ConfigOption<String> SOFT_DELETE_COLUMN =
            ConfigOptions.key("query.soft-delete.column")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Column marking soft-deleted rows, in the tables that have it: a"
                                    + " boolean (true = deleted) or any other type (not null ="
                                    + " deleted, e.g. deleted_at). Such a row is emitted as a 'd'"
                                    + " with the row as before.");

    /** Column holding the creation time, for telling inserts from updates. */
    public static final ConfigOption<String> CREATED_COLUMN =
            ConfigOptions.key("query.created.column")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Creation-time column, in the timestamp tables that have it: a row"
                                    + " whose created value equals its timestamp column is a"
                                    + " 'c', else a 'u'.");

    /** Row version column, for telling inserts from updates. */
    public static final ConfigOption<String> VERSION_COLUMN =
            ConfigOptions.key("query.version.column")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Row version column, in the timestamp tables that have it: version"
                                    + " 1 is a 'c', higher a 'u'.");

    /** Period of the primary-key scan that finds hard deletes; 0 disables it. */
    public static final ConfigOption<Duration> DELETE_SCAN_INTERVAL =
            ConfigOptions.key("query.delete-scan.interval")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription(
                            "Period of a full primary-key scan per table that emits a 'd' (before"
                                    + " = the key columns) for every emitted key that is gone; 0"
                                    + " disables it. The keys live in Flink state: about 50-100"
                                    + " bytes per row of the table.");

    /** Where to start. */
    public static final ConfigOption<QueryStartupMode> STARTUP_MODE =
            ConfigOptions.key("scan.startup.mode")
                    .enumType(QueryStartupMode.class)
                    .defaultValue(QueryStartupMode.INITIAL)
                    .withDescription(
                            "initial: snapshot every table as 'r', then poll from the position"
                                    + " taken before the snapshot; latest: poll changes from now.");

    /** Whether a polled column without an index fails the build (else a warning). */
    public static final ConfigOption<Boolean> REQUIRE_INDEX =
            ConfigOptions.key("query.require-index")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Fail the build when a polled column is not the leading column of an"
                                    + " index (each poll would scan the whole table); false only"
                                    + " logs a warning.");

    private QuerySourceOptions() {}

    /** Every option, in the order {@code --help} and the README list them. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                DIALECT,
                HOSTNAME,
                PORT,
                DATABASE,
                USERNAME,
                PASSWORD,
                TABLE_LIST,
                TABLES,
                STARTUP_MODE,
                POLL_INTERVAL,
                BATCH_SIZE,
                HORIZON_MARGIN,
                SOFT_DELETE_COLUMN,
                CREATED_COLUMN,
                VERSION_COLUMN,
                DELETE_SCAN_INTERVAL,
                REQUIRE_INDEX);
    }
}
