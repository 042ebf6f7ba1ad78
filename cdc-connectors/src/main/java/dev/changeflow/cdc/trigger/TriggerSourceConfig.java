package dev.changeflow.cdc.trigger;

import dev.changeflow.cdc.config.NameLists;
import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.trigger.TriggerSourceOptions.DialectKind;
import dev.changeflow.cdc.trigger.TriggerSourceOptions.StartupMode;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The resolved, validated options of a trigger source or installer; {@link #from(Configuration)}
 * fails naming the option that is missing or wrong.
 *
 * @param tables the captured tables as {@link TableId}s
 * @param auditTable the audit table ({@code schema} null on MariaDB/MySQL: the captured database)
 */
public record TriggerSourceConfig(
        DialectKind dialect,
        String hostname,
        int port,
        String database,
        String username,
        String password,
        List<TableId> tables,
        TableId auditTable,
        StartupMode startupMode,
        Duration pollInterval,
        int batchSize,
        boolean purgeEnabled,
        Duration purgeRetention,
        boolean preflight)
        implements Serializable {

    /** A table: {@code schema} is the PostgreSQL schema, or the MariaDB/MySQL database. */
    public record TableId(String schema, String table) implements Serializable {
        @Override
        public String toString() {
            return schema + "." + table;
        }
    }

    /**
     * Resolves and validates the options.
     *
     * @throws CdcSetupException naming the option that is missing or invalid
     */
    public static TriggerSourceConfig from(Configuration conf) {
        DialectKind dialect = conf.get(TriggerSourceOptions.DIALECT);
        List<String> names = NameLists.get(conf, TriggerSourceOptions.TABLE_LIST);
        if (names == null || names.isEmpty()) {
            throw new CdcSetupException(
                    "option '"
                            + TriggerSourceOptions.TABLE_LIST.key()
                            + "' must name at least one table as "
                            + (dialect == DialectKind.POSTGRES ? "schema.table" : "db.table"));
        }
        String database =
                dialect == DialectKind.MYSQL && conf.get(TriggerSourceOptions.DATABASE) == null
                        ? NameLists.databaseOf(names, TriggerSourceOptions.TABLE_LIST.key())
                        : required(conf, TriggerSourceOptions.DATABASE);
        List<TableId> tables = new ArrayList<>();
        for (String name : names) {
            TableId id = parse(name, TriggerSourceOptions.TABLE_LIST);
            if (id == null && dialect == DialectKind.MYSQL) {
                id = new TableId(database, name);
            }
            if (id == null) {
                throw new CdcSetupException(
                        "option '"
                                + TriggerSourceOptions.TABLE_LIST.key()
                                + "': '"
                                + name
                                + "' must be schema.table");
            }
            if (dialect == DialectKind.MYSQL && !id.schema().equals(database)) {
                throw new CdcSetupException(
                        "option '"
                                + TriggerSourceOptions.TABLE_LIST.key()
                                + "': '"
                                + name
                                + "' is not in database '"
                                + database
                                + "' (option '"
                                + TriggerSourceOptions.DATABASE.key()
                                + "'); the audit table and the triggers live in one database");
            }
            tables.add(id);
        }
        String auditName = conf.get(TriggerSourceOptions.AUDIT_TABLE);
        TableId audit;
        if (dialect == DialectKind.POSTGRES) {
            audit =
                    auditName == null
                            ? new TableId("changeflow", "changeflow_audit")
                            : parse(auditName, TriggerSourceOptions.AUDIT_TABLE);
            if (audit == null) {
                audit = new TableId("changeflow", auditName);
            }
        } else {
            audit =
                    new TableId(
                            database,
                            auditName == null
                                    ? "changeflow_audit"
                                    : auditName.substring(auditName.indexOf('.') + 1));
        }
        int batch = conf.get(TriggerSourceOptions.BATCH_SIZE);
        if (batch < 1) {
            throw new CdcSetupException(
                    "option '" + TriggerSourceOptions.BATCH_SIZE.key() + "' must be >= 1");
        }
        Duration poll = conf.get(TriggerSourceOptions.POLL_INTERVAL);
        if (poll.isNegative()) {
            throw new CdcSetupException(
                    "option '" + TriggerSourceOptions.POLL_INTERVAL.key() + "' must be >= 0");
        }
        Duration retention = conf.get(TriggerSourceOptions.PURGE_RETENTION);
        if (retention.isNegative()) {
            throw new CdcSetupException(
                    "option '" + TriggerSourceOptions.PURGE_RETENTION.key() + "' must be >= 0");
        }
        return new TriggerSourceConfig(
                dialect,
                required(conf, TriggerSourceOptions.HOSTNAME),
                conf.getOptional(TriggerSourceOptions.PORT)
                        .orElse(dialect == DialectKind.POSTGRES ? 5432 : 3306),
                database,
                required(conf, TriggerSourceOptions.USERNAME),
                conf.get(TriggerSourceOptions.PASSWORD),
                List.copyOf(tables),
                audit,
                conf.get(TriggerSourceOptions.STARTUP_MODE),
                poll,
                batch,
                conf.get(TriggerSourceOptions.PURGE_ENABLED),
                retention,
                conf.get(TriggerSourceOptions.PREFLIGHT));
    }

    /** {@code schema.table}, or null if the name has no dot. */
    private static TableId parse(String name, ConfigOption<?> option) {
        int dot = name.indexOf('.');
        if (dot < 0) {
            return null;
        }
        if (dot == 0 || dot == name.length() - 1 || name.indexOf('.', dot + 1) >= 0) {
            throw new CdcSetupException(
                    "option '" + option.key() + "': '" + name + "' must be schema.table");
        }
        return new TableId(name.substring(0, dot), name.substring(dot + 1));
    }

    /** The JDBC URL of the database. */
    public String jdbcUrl() {
        return dialect == DialectKind.POSTGRES
                ? "jdbc:postgresql://" + hostname + ":" + port + "/" + database
                : "jdbc:mysql://"
                        + hostname
                        + ":"
                        + port
                        + "/"
                        + database
                        + "?useSSL=false&allowPublicKeyRetrieval=true";
    }

    /** The server, for messages. */
    public String where() {
        return dialect.name().toLowerCase() + " " + hostname + ":" + port + "/" + database;
    }

    private static String required(Configuration conf, ConfigOption<String> option) {
        String value = conf.get(option);
        if (value == null || value.isBlank()) {
            throw new CdcSetupException("option '" + option.key() + "' is required");
        }
        return value;
    }
}
