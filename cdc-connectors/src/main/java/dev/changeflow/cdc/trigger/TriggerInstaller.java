package dev.changeflow.cdc.trigger;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.trigger.TriggerDialect.TableStatus;
import dev.changeflow.cdc.trigger.TriggerSourceConfig.TableId;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Installs, removes and inspects the capture triggers and the audit table of a {@link
 * TriggerSourceConfig} (the same options as the source). Idempotent: installing twice leaves one
 * set of triggers, and re-installing regenerates them (MariaDB/MySQL triggers list the columns, so
 * re-install after adding a column).
 */
public final class TriggerInstaller {

    private final TriggerSourceConfig config;
    private final TriggerDialect dialect;

    public TriggerInstaller(TriggerSourceConfig config) {
        this.config = config;
        this.dialect = TriggerDialect.of(config);
    }

    /** Creates the audit table if missing and (re)creates the triggers of {@code tables}. */
    public void install(List<TableId> tables) {
        try (Connection c = dialect.connect()) {
            dialect.install(c, tables);
        } catch (SQLException e) {
            throw failure("install the capture triggers", e);
        }
    }

    /** Installs the triggers of every table of the configuration. */
    public void install() {
        install(config.tables());
    }

    /**
     * Drops the triggers of {@code tables}; drops the audit table too when no captured table is
     * left or {@code dropAuditTable} is set.
     */
    public void uninstall(List<TableId> tables, boolean dropAuditTable) {
        try (Connection c = dialect.connect()) {
            dialect.uninstall(c, tables, dropAuditTable);
        } catch (SQLException e) {
            throw failure("uninstall the capture triggers", e);
        }
    }

    /** {@link #uninstall(List, boolean)} of the given tables, keeping a used audit table. */
    public void uninstall(List<TableId> tables) {
        uninstall(tables, false);
    }

    /** Per configured table: triggers installed, audit rows pending. */
    public List<TableStatus> status() {
        try (Connection c = dialect.connect()) {
            return dialect.status(c, config.tables());
        } catch (SQLException e) {
            throw failure("read the trigger status", e);
        }
    }

    /**
     * Fails unless the audit table exists and every configured table has its triggers.
     *
     * @throws CdcSetupException naming the tables and the command that installs their triggers
     */
    public void check() {
        List<TableStatus> statuses;
        try (Connection c = dialect.connect()) {
            if (!dialect.auditTableExists(c)) {
                throw new CdcSetupException(
                        "the audit table "
                                + config.auditTable()
                                + " does not exist in "
                                + config.where()
                                + "; run `changeflow triggers install --source "
                                + sourceName()
                                + " --tables "
                                + config.tables().stream()
                                        .map(TableId::toString)
                                        .collect(Collectors.joining(","))
                                + "` (with the connection options)");
            }
            statuses = dialect.status(c, config.tables());
        } catch (SQLException e) {
            throw failure("read the trigger status", e);
        }
        List<String> missing =
                statuses.stream()
                        .filter(s -> !s.installed())
                        .map(s -> s.table().toString())
                        .collect(Collectors.toList());
        if (!missing.isEmpty()) {
            throw new CdcSetupException(
                    "the capture triggers are not installed for "
                            + String.join(", ", missing)
                            + " in "
                            + config.where()
                            + "; run `changeflow triggers install --source "
                            + sourceName()
                            + " --tables "
                            + String.join(",", missing)
                            + "` (with the connection options)"
                            + (config.dialect() == TriggerSourceOptions.DialectKind.MYSQL
                                    ? "; if they are installed, user '"
                                            + config.username()
                                            + "' cannot see them: MariaDB/MySQL show triggers only"
                                            + " to users with the TRIGGER privilege (GRANT TRIGGER"
                                            + " ON `"
                                            + config.database()
                                            + "`.* TO '"
                                            + config.username()
                                            + "'@'%';)"
                                    : ""));
        }
    }

    private String sourceName() {
        return config.dialect() == TriggerSourceOptions.DialectKind.POSTGRES ? "postgres" : "mysql";
    }

    private CdcSetupException failure(String what, SQLException e) {
        return new CdcSetupException(
                "cannot "
                        + what
                        + " in "
                        + config.where()
                        + ": "
                        + MySqlTriggerDialect.explain(e, config),
                e);
    }
}
