package dev.changeflow.jobs.conformance;

import dev.changeflow.cdc.trigger.TriggerInstaller;
import dev.changeflow.cdc.trigger.TriggerSourceConfig;
import dev.changeflow.cdc.trigger.TriggerSourceOptions;
import dev.changeflow.jobs.ingest.IngestOptions.CaptureMethod;
import dev.changeflow.localstack.server.JdbcServer;
import dev.changeflow.localstack.server.MariaDbServer;

import org.apache.flink.configuration.Configuration;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The ingest job's arguments per capture method, as a user would give them. */
final class Methods {

    private Methods() {}

    /** Whatever a method needs in the database before capture starts (triggers, say). */
    static void prepare(CaptureMethod method, Dialect dialect, String table) throws SQLException {
        switch (method) {
            case TRIGGER:
                // as `changeflow triggers install` does it, with the admin's rights
                JdbcServer server = dialect.server();
                Configuration conf = new Configuration();
                conf.set(
                        TriggerSourceOptions.DIALECT,
                        dialect.source().equals("postgres")
                                ? TriggerSourceOptions.DialectKind.POSTGRES
                                : TriggerSourceOptions.DialectKind.MYSQL);
                conf.set(TriggerSourceOptions.HOSTNAME, server.host());
                conf.set(TriggerSourceOptions.PORT, server.port());
                conf.set(TriggerSourceOptions.DATABASE, server.database());
                conf.set(TriggerSourceOptions.USERNAME, server.user());
                conf.set(TriggerSourceOptions.PASSWORD, server.password());
                conf.set(TriggerSourceOptions.TABLE_LIST, List.of(table));
                new TriggerInstaller(TriggerSourceConfig.from(conf)).install();
                if (server instanceof MariaDbServer) {
                    // the source's user: sees the triggers (MariaDB shows them to TRIGGER holders
                    // only) and purges the audit table
                    try (Connection c = server.connect();
                            Statement s = c.createStatement()) {
                        s.execute(
                                "GRANT TRIGGER ON "
                                        + table
                                        + " TO '"
                                        + MariaDbServer.CDC_USER
                                        + "'@'%'");
                        s.execute(
                                "GRANT DELETE ON "
                                        + server.database()
                                        + ".changeflow_audit TO '"
                                        + MariaDbServer.CDC_USER
                                        + "'@'%'");
                    }
                }
                return;
            default:
                return;
        }
    }

    /**
     * @param common connection and table arguments every method takes
     * @param logOnly what only the log method needs (slot name, server id)
     * @param table the captured table, qualified
     */
    static List<String> arguments(
            CaptureMethod method, List<String> common, List<String> logOnly, String table) {
        List<String> args = new ArrayList<>(common);
        switch (method) {
            case LOG:
                args.addAll(logOnly);
                break;
            case TRIGGER:
                args.addAll(List.of("--trigger.poll.interval", "100 ms"));
                break;
            case QUERY:
                // by last-modified time, the id breaking ties; hard deletes found by key scans
                args.addAll(
                        List.of(
                                "--query.tables", table + ":timestamp=updated_at,id",
                                "--query.poll.interval", "100 ms",
                                "--query.delete-scan.interval", "1 s"));
                break;
            default:
                throw new UnsupportedOperationException("no arguments yet for " + method);
        }
        return args;
    }
}
