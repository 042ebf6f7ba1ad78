package dev.changeflow.cli;

import dev.changeflow.cdc.trigger.TriggerDialect.TableStatus;
import dev.changeflow.cdc.trigger.TriggerInstaller;
import dev.changeflow.cdc.trigger.TriggerSourceConfig;
import dev.changeflow.cdc.trigger.TriggerSourceOptions;
import dev.changeflow.cdc.trigger.TriggerSourceOptions.DialectKind;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code changeflow triggers install|uninstall|status}: manages the capture triggers and the audit
 * table of trigger-based CDC ({@link TriggerInstaller}), with the connection options of the trigger
 * source ({@code --hostname}, {@code --port}, {@code --database-name}, {@code --username}, {@code
 * --password}).
 */
@Command(
        name = "triggers",
        mixinStandardHelpOptions = true,
        description = "Installs, removes or inspects the triggers of trigger-based CDC.",
        subcommands = {
            TriggersCommand.Install.class,
            TriggersCommand.Uninstall.class,
            TriggersCommand.Status.class
        })
final class TriggersCommand {

    /** What every subcommand takes: the database, the tables, the audit table. */
    static final class Target {
        @Mixin DatabaseOptions db;

        @Option(
                names = "--audit-table",
                description =
                        "Audit table (default changeflow.changeflow_audit / changeflow_audit).")
        String auditTable;

        TriggerSourceConfig config() {
            Configuration conf = new Configuration();
            conf.set(
                    TriggerSourceOptions.DIALECT,
                    db.postgres() ? DialectKind.POSTGRES : DialectKind.MYSQL);
            conf.set(TriggerSourceOptions.HOSTNAME, db.hostname);
            conf.set(TriggerSourceOptions.PORT, db.port());
            if (db.givenDatabase() != null) {
                conf.set(TriggerSourceOptions.DATABASE, db.givenDatabase());
            }
            conf.set(TriggerSourceOptions.USERNAME, db.username());
            conf.set(TriggerSourceOptions.PASSWORD, db.password());
            conf.set(TriggerSourceOptions.TABLE_LIST, db.tables());
            if (auditTable != null) {
                conf.set(TriggerSourceOptions.AUDIT_TABLE, auditTable);
            }
            return TriggerSourceConfig.from(conf);
        }
    }

    @Command(
            name = "install",
            mixinStandardHelpOptions = true,
            description =
                    "Creates the audit table if missing and (re)creates the tables' triggers"
                            + " (idempotent; re-run after adding columns on MariaDB/MySQL).")
    static final class Install implements Callable<Integer> {
        @Mixin Target target;

        @Override
        public Integer call() {
            TriggerSourceConfig config = target.config();
            new TriggerInstaller(config).install();
            System.out.println(
                    "installed capture triggers on "
                            + config.tables()
                            + ", audit table "
                            + config.auditTable());
            return 0;
        }
    }

    @Command(
            name = "uninstall",
            mixinStandardHelpOptions = true,
            description =
                    "Drops the tables' triggers, and the audit table when no captured table is"
                            + " left (or with --drop-audit-table).")
    static final class Uninstall implements Callable<Integer> {
        @Mixin Target target;

        @Option(names = "--drop-audit-table", description = "Drop the audit table in any case.")
        boolean dropAuditTable;

        @Override
        public Integer call() {
            TriggerSourceConfig config = target.config();
            new TriggerInstaller(config).uninstall(config.tables(), dropAuditTable);
            System.out.println("removed capture triggers from " + config.tables());
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Per table: whether its triggers are installed, audit rows pending.")
    static final class Status implements Callable<Integer> {
        @Mixin Target target;

        @Override
        public Integer call() {
            TriggerSourceConfig config = target.config();
            List<TableStatus> statuses = new TriggerInstaller(config).status();
            System.out.printf("%-40s %-10s %s%n", "TABLE", "TRIGGERS", "PENDING AUDIT ROWS");
            for (TableStatus status : statuses) {
                System.out.printf(
                        "%-40s %-10s %d%n",
                        status.table(),
                        status.installed() ? "installed" : "missing",
                        status.pendingRows());
            }
            return statuses.stream().allMatch(TableStatus::installed) ? 0 : 1;
        }
    }
}
