package dev.changeflow.cdc.log.mysql.preflight;

import dev.changeflow.cdc.jdbc.JdbcConnections;
import dev.changeflow.cdc.jdbc.PrimaryKeys;
import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.log.mysql.config.MySqlLogSourceConfig;
import dev.changeflow.cdc.log.mysql.config.MySqlLogSourceOptions;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks, before a MariaDB/MySQL log source starts, that binlog capture can work, and fails fast
 * with a {@link CdcSetupException} naming the problem otherwise:
 *
 * <ol>
 *   <li>the server is reachable and the credentials are accepted;
 *   <li>{@code log_bin} is on, {@code binlog_format = ROW}, {@code binlog_row_image = FULL} ({@link
 *       ServerSettings#checkBinlog()});
 *   <li>the user holds REPLICATION SLAVE and REPLICATION CLIENT ({@link
 *       ServerSettings#checkPrivileges()});
 *   <li>every {@code table-list} entry matches an existing table, the user may SELECT from every
 *       captured table, and each has a primary key (the chunked snapshot splits by it, change
 *       events are keyed by it);
 *   <li>the server's current UTC offset is the one of option {@code server-time-zone}.
 * </ol>
 *
 * <p>It changes nothing on the server.
 */
public final class MySqlPreflight {

    private static final String VARIABLES_SQL =
            "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format',"
                    + " 'binlog_row_image', 'binlog_row_value_options')";
    private static final String PRIVILEGES_SQL =
            "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?";
    private static final String TABLES_SQL =
            "SELECT t.TABLE_SCHEMA, t.TABLE_NAME, EXISTS (SELECT 1 FROM"
                    + " information_schema.TABLE_CONSTRAINTS c WHERE c.TABLE_SCHEMA ="
                    + " t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND c.CONSTRAINT_TYPE ="
                    + " 'PRIMARY KEY') FROM information_schema.TABLES t WHERE t.TABLE_TYPE ="
                    + " 'BASE TABLE' AND t.TABLE_SCHEMA NOT IN ('mysql', 'information_schema',"
                    + " 'performance_schema', 'sys') ORDER BY 1, 2";
    private static final String OFFSET_SQL = "SELECT TIME_TO_SEC(TIMEDIFF(NOW(), UTC_TIMESTAMP()))";

    /** Characters that make a {@code table-list} entry a pattern rather than a literal name. */
    private static final Pattern REGEX = Pattern.compile("[\\\\\\[\\](){}*+?|^$]");

    private static final int ACCESS_DENIED = 1045;
    private static final int HOST_NOT_ALLOWED = 1130;
    private static final int NO_SUCH_TABLE = 1146;
    private static final int TABLE_ACCESS_DENIED = 1142;
    private static final int NO_SUCH_DATABASE = 1049;

    private final MySqlLogSourceConfig config;

    /** Creates a preflight for the given source configuration. */
    public MySqlPreflight(MySqlLogSourceConfig config) {
        this.config = config;
    }

    /**
     * Runs every check.
     *
     * @return the captured tables, as {@code database.table}
     * @throws CdcSetupException naming the first problem found
     */
    public List<String> run() {
        try (Connection connection = connect()) {
            ServerSettings settings = settings(connection);
            settings.checkBinlog();
            settings.checkPrivileges();
            List<String> tables = capturedTables(connection, settings.user());
            checkTimeZone(connection);
            return tables;
        } catch (SQLException e) {
            throw new CdcSetupException(
                    "MariaDB/MySQL preflight failed at " + where() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The primary key columns of the captured tables, by {@code db.table} (for {@link
     * dev.changeflow.schemas.PrimaryKeyResolver#byTable}).
     */
    public Map<String, List<String>> primaryKeys() {
        return PrimaryKeys.read(
                this::connect, PrimaryKeys.Namespace.CATALOG, config.tableList(), where());
    }

    private Connection connect() {
        Properties props = new Properties();
        props.setProperty("user", config.username());
        props.setProperty("password", config.password());
        try {
            return JdbcConnections.connect(new com.mysql.cj.jdbc.Driver(), config.jdbcUrl(), props);
        } catch (SQLException e) {
            throw new CdcSetupException(connectFailure(e), e);
        }
    }

    private String connectFailure(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String hint;
        if (e.getErrorCode() == ACCESS_DENIED) {
            hint =
                    "access denied: wrong password, or no such user for this host; check options"
                            + " 'username' and 'password'";
        } else if (e.getErrorCode() == HOST_NOT_ALLOWED) {
            hint = "the user may not connect from this host; check the user's host part";
        } else if (state.startsWith("08")) {
            hint = "the server is not reachable; check options 'hostname' and 'port'";
        } else {
            hint = "check the connection options";
        }
        return "cannot connect to MariaDB/MySQL at "
                + where()
                + " as user '"
                + config.username()
                + "': "
                + hint
                + " ("
                + e.getMessage()
                + ")";
    }

    private ServerSettings settings(Connection connection) throws SQLException {
        String version;
        String user;
        Map<String, String> variables = new LinkedHashMap<>();
        try (Statement st = connection.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT VERSION(), CURRENT_USER()")) {
                rs.next();
                version = rs.getString(1);
                user = grantee(rs.getString(2));
            }
            try (ResultSet rs = st.executeQuery(VARIABLES_SQL)) {
                while (rs.next()) {
                    variables.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
                }
            }
        }
        Set<String> privileges = new LinkedHashSet<>();
        try (PreparedStatement ps = connection.prepareStatement(PRIVILEGES_SQL)) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    privileges.add(rs.getString(1).toUpperCase(Locale.ROOT));
                }
            }
        }
        return new ServerSettings(where(), version, variables, user, privileges);
    }

    /** {@code CURRENT_USER()}'s {@code name@host} as information_schema's {@code 'name'@'host'}. */
    static String grantee(String currentUser) {
        int at = currentUser.lastIndexOf('@');
        String name = at < 0 ? currentUser : currentUser.substring(0, at);
        String host = at < 0 ? "%" : currentUser.substring(at + 1);
        return "'" + name + "'@'" + host + "'";
    }

    private List<String> capturedTables(Connection connection, String user) throws SQLException {
        List<Pattern> databases = patterns(config.databaseList());
        List<Pattern> wanted = patterns(config.tableList());
        boolean[] matched = new boolean[wanted.size()];
        List<String> tables = new ArrayList<>();
        List<String> withoutKey = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(TABLES_SQL)) {
            while (rs.next()) {
                String database = rs.getString(1);
                String table = database + "." + rs.getString(2);
                if (databases.stream().noneMatch(p -> p.matcher(database).matches())) {
                    continue;
                }
                boolean captured = false;
                for (int i = 0; i < wanted.size(); i++) {
                    if (wanted.get(i).matcher(table).matches()) {
                        matched[i] = true;
                        captured = true;
                    }
                }
                if (captured) {
                    tables.add(table);
                    if (!rs.getBoolean(3)) {
                        withoutKey.add(table);
                    }
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < matched.length; i++) {
            if (!matched[i]) {
                missing.add(config.tableList().get(i));
            }
        }
        List<String> unreadable = new ArrayList<>();
        for (String entry : missing) {
            if (!REGEX.matcher(entry).find() && !canSelect(connection, entry)) {
                unreadable.add(entry);
            }
        }
        if (!unreadable.isEmpty()) {
            throw noSelect(unreadable, user);
        }
        if (!missing.isEmpty()) {
            throw new CdcSetupException(
                    "captured table(s) not found on "
                            + where()
                            + " (option '"
                            + MySqlLogSourceOptions.TABLE_LIST.key()
                            + "', databases "
                            + config.databaseList()
                            + "): "
                            + String.join(", ", missing));
        }
        for (String table : tables) {
            if (!canSelect(connection, table)) {
                unreadable.add(table);
            }
        }
        if (!unreadable.isEmpty()) {
            throw noSelect(unreadable, user);
        }
        if (!withoutKey.isEmpty()) {
            throw new CdcSetupException(
                    "captured table(s) without a primary key: "
                            + String.join(", ", withoutKey)
                            + "; the snapshot is read in chunks of the primary key and change"
                            + " events are keyed by it. Add a primary key (ALTER TABLE ... ADD"
                            + " PRIMARY KEY (...)) or leave the table out of option '"
                            + MySqlLogSourceOptions.TABLE_LIST.key()
                            + "'");
        }
        return tables;
    }

    /**
     * Whether {@code SELECT} on {@code database.table} is allowed.
     *
     * @return false if denied; true if allowed or if the table does not exist (reported as missing)
     */
    private static boolean canSelect(Connection connection, String table) throws SQLException {
        int dot = table.indexOf('.');
        String sql =
                "SELECT * FROM "
                        + ident(table.substring(0, dot))
                        + "."
                        + ident(table.substring(dot + 1))
                        + " LIMIT 0";
        try (Statement st = connection.createStatement()) {
            st.executeQuery(sql).close();
            return true;
        } catch (SQLException e) {
            if (e.getErrorCode() == TABLE_ACCESS_DENIED) {
                return false;
            }
            if (e.getErrorCode() == NO_SUCH_TABLE || e.getErrorCode() == NO_SUCH_DATABASE) {
                return true;
            }
            throw e;
        }
    }

    private CdcSetupException noSelect(List<String> tables, String user) {
        String quoted =
                tables.stream()
                        .map(
                                t ->
                                        ident(t.substring(0, t.indexOf('.')))
                                                + "."
                                                + ident(t.substring(t.indexOf('.') + 1)))
                        .collect(Collectors.joining(", "));
        return new CdcSetupException(
                "user "
                        + user
                        + " lacks SELECT on captured table(s) "
                        + String.join(", ", tables)
                        + " on "
                        + where()
                        + "; the snapshot reads them. Run GRANT SELECT ON "
                        + quoted
                        + " TO "
                        + user
                        + " (one GRANT per table, or ON database.* for all)");
    }

    private void checkTimeZone(Connection connection) throws SQLException {
        int serverOffset;
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(OFFSET_SQL)) {
            rs.next();
            serverOffset = rs.getInt(1);
        }
        checkTimeZone(serverOffset, config.serverTimeZone(), Instant.now(), where());
    }

    /**
     * Fails unless {@code zone}'s offset at {@code now} is the server's.
     *
     * @param serverOffsetSeconds {@code NOW() - UTC_TIMESTAMP()} on the server, seconds
     * @throws CdcSetupException naming option {@code server-time-zone}
     */
    static void checkTimeZone(int serverOffsetSeconds, String zone, Instant now, String where) {
        int configured = ZoneId.of(zone).getRules().getOffset(now).getTotalSeconds();
        if (configured != serverOffsetSeconds) {
            throw new CdcSetupException(
                    "the server at "
                            + where
                            + " runs at UTC"
                            + offset(serverOffsetSeconds)
                            + " but option '"
                            + MySqlLogSourceOptions.SERVER_TIME_ZONE.key()
                            + "' = '"
                            + zone
                            + "' is UTC"
                            + offset(configured)
                            + " now; snapshot reads of TIMESTAMP columns would be shifted. Set"
                            + " option '"
                            + MySqlLogSourceOptions.SERVER_TIME_ZONE.key()
                            + "' to the server's time zone (SELECT @@time_zone,"
                            + " @@system_time_zone)");
        }
    }

    private static String offset(int seconds) {
        int abs = Math.abs(seconds);
        return String.format("%s%02d:%02d", seconds < 0 ? "-" : "+", abs / 3600, (abs % 3600) / 60);
    }

    private String where() {
        return config.hostname() + ":" + config.port();
    }

    private static List<Pattern> patterns(List<String> regexes) {
        return regexes.stream().map(Pattern::compile).collect(Collectors.toList());
    }

    static String ident(String name) {
        return '`' + name.replace("`", "``") + '`';
    }
}
