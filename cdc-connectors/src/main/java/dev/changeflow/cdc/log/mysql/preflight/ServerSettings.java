package dev.changeflow.cdc.log.mysql.preflight;

import dev.changeflow.cdc.log.CdcSetupException;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What {@link MySqlPreflight} reads from the server before deciding whether binlog capture can
 * work: the server's global variables ({@code SHOW GLOBAL VARIABLES}) and the current user's global
 * privileges ({@code information_schema.USER_PRIVILEGES}). The checks are pure functions of these
 * values, so they are unit-tested without a server.
 *
 * @param where {@code host:port}, for messages
 * @param version {@code SELECT VERSION()}, e.g. {@code 10.11.5-MariaDB-log}
 * @param variables global variables by lower-case name
 * @param user the current user as {@code 'name'@'host'}
 * @param privileges the user's global privileges, upper case ({@code REPLICATION SLAVE}, ...)
 */
public record ServerSettings(
        String where,
        String version,
        Map<String, String> variables,
        String user,
        Set<String> privileges) {

    /** Whether the server is MariaDB rather than MySQL. */
    public boolean mariaDb() {
        return version.toLowerCase(Locale.ROOT).contains("mariadb");
    }

    /**
     * Checks {@code log_bin}, {@code binlog_format}, {@code binlog_row_image} and (MySQL 8) {@code
     * binlog_row_value_options}.
     *
     * @throws CdcSetupException naming the variable, its value and the fix
     */
    public void checkBinlog() {
        String logBin = variable("log_bin");
        if (!"ON".equals(logBin) && !"1".equals(logBin)) {
            throw new CdcSetupException(
                    server()
                            + " has binary logging off (log_bin = "
                            + logBin
                            + "); log-based CDC reads the binlog. Add log_bin = mysql-bin,"
                            + " server_id = 1, binlog_format = ROW and binlog_row_image = FULL to"
                            + " the [mysqld] section of my.cnf and restart the server");
        }
        String format = variable("binlog_format");
        if (!"ROW".equals(format)) {
            throw new CdcSetupException(
                    server()
                            + " has binlog_format = "
                            + format
                            + "; log-based CDC needs binlog_format = ROW (row events with the"
                            + " column values, not SQL statements). Set binlog_format = ROW in"
                            + " my.cnf, or run SET GLOBAL binlog_format = 'ROW' (new sessions"
                            + " only) and persist it");
        }
        String image = variable("binlog_row_image");
        if (image != null && !"FULL".equals(image)) {
            throw new CdcSetupException(
                    server()
                            + " has binlog_row_image = "
                            + image
                            + "; log-based CDC needs binlog_row_image = FULL, else updates and"
                            + " deletes lack the full before row (and updates unchanged"
                            + " columns). Set binlog_row_image = FULL in my.cnf, or run SET"
                            + " GLOBAL binlog_row_image = 'FULL' and persist it");
        }
        String valueOptions = variable("binlog_row_value_options");
        if (valueOptions != null && !valueOptions.isBlank()) {
            throw new CdcSetupException(
                    server()
                            + " has binlog_row_value_options = "
                            + valueOptions
                            + "; partial JSON updates cannot be captured: set it to '' in"
                            + " my.cnf");
        }
    }

    /**
     * Checks that the user holds the global privileges binlog capture needs: {@code REPLICATION
     * SLAVE} (to stream the binlog) and {@code REPLICATION CLIENT} (MariaDB 10.5+: {@code BINLOG
     * MONITOR}; to read the binlog position with {@code SHOW MASTER STATUS}). {@code SELECT} is
     * checked per table, {@code RELOAD} and {@code SHOW DATABASES} are not needed: Flink CDC's
     * snapshot takes no global read lock and lists only the databases the user can see.
     *
     * @throws CdcSetupException naming the missing privileges and the GRANT to run
     */
    public void checkPrivileges() {
        StringBuilder missing = new StringBuilder();
        if (!privileges.contains("REPLICATION SLAVE")) {
            missing.append("REPLICATION SLAVE");
        }
        if (!privileges.contains("REPLICATION CLIENT")
                && !privileges.contains("BINLOG MONITOR")
                && !privileges.contains("SUPER")) {
            missing.append(missing.length() == 0 ? "" : ", ").append("REPLICATION CLIENT");
        }
        if (missing.length() > 0) {
            throw new CdcSetupException(
                    "user "
                            + user
                            + " lacks "
                            + missing
                            + " on "
                            + server()
                            + "; binlog CDC connects as a replica (REPLICATION SLAVE) and reads"
                            + " the binlog position (REPLICATION CLIENT"
                            + (mariaDb() ? ", called BINLOG MONITOR since MariaDB 10.5" : "")
                            + "). Run GRANT "
                            + missing
                            + " ON *.* TO "
                            + user
                            + " (or set option 'username' to a user that has them)");
        }
    }

    private String server() {
        return (mariaDb() ? "MariaDB " : "MySQL ") + version + " at " + where;
    }

    private String variable(String name) {
        String value = variables.get(name);
        return value == null ? null : value.trim().toUpperCase(Locale.ROOT);
    }
}
