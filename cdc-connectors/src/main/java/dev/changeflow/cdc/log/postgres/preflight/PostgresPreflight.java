package dev.changeflow.cdc.log.postgres.preflight;

import dev.changeflow.cdc.jdbc.JdbcConnections;
import dev.changeflow.cdc.jdbc.PrimaryKeys;
import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.log.postgres.config.PostgresLogSourceConfig;
import dev.changeflow.cdc.log.postgres.config.PostgresLogSourceOptions;
import dev.changeflow.cdc.log.postgres.config.ReplicaIdentityMode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks, before a PostgreSQL log source starts, that capture can work, and fails fast with a
 * {@link CdcSetupException} naming the problem otherwise:
 *
 * <ol>
 *   <li>the server is reachable and the credentials are accepted;
 *   <li>{@code wal_level} is {@code logical};
 *   <li>the user may log in and has {@code REPLICATION} (or is a superuser);
 *   <li>every {@code table-list} entry matches an existing table the user may {@code SELECT};
 *   <li>every captured table has {@code REPLICA IDENTITY FULL}, or gets it ({@link
 *       ReplicaIdentityMode#AUTO});
 *   <li>the publication exists for the captured tables (created, or completed, if not) and
 *       publishes inserts, updates and deletes;
 *   <li>an existing slot of that name uses {@code pgoutput} on this database.
 * </ol>
 */
public final class PostgresPreflight {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresPreflight.class);

    private static final String ROLE_SQL =
            "SELECT rolsuper, rolreplication, rolcanlogin FROM pg_roles WHERE rolname = current_user";
    private static final String TABLES_SQL =
            "SELECT n.nspname, c.relname, c.relreplident, has_table_privilege(c.oid, 'SELECT'),"
                    + " pg_has_role(c.relowner, 'USAGE')"
                    + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog',"
                    + " 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"
                    + " ORDER BY n.nspname, c.relname";
    private static final String PUBLICATION_SQL =
            "SELECT puballtables, pubinsert, pubupdate, pubdelete, pg_has_role(pubowner, 'USAGE')"
                    + " FROM pg_publication WHERE pubname = ?";
    private static final String PUBLICATION_TABLES_SQL =
            "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?";
    private static final String SLOT_SQL =
            "SELECT plugin, database FROM pg_replication_slots WHERE slot_name = ?";

    private final PostgresLogSourceConfig config;

    /** Creates a preflight for the given source configuration. */
    public PostgresPreflight(PostgresLogSourceConfig config) {
        this.config = config;
    }

    /**
     * Runs every check and the set-up steps (publication, replica identity in {@code auto} mode).
     *
     * @return the captured tables
     * @throws CdcSetupException naming the first problem found
     */
    public List<CapturedTable> run() {
        try (Connection connection = connect()) {
            checkWalLevel(connection);
            checkRole(connection);
            List<CapturedTable> tables = capturedTables(connection);
            ensureReplicaIdentityFull(connection, tables);
            ensurePublication(connection, tables);
            checkSlot(connection);
            return tables;
        } catch (SQLException e) {
            throw new CdcSetupException(
                    "PostgreSQL preflight failed at " + where() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The primary key columns of the captured tables, by {@code schema.table} (for {@link
     * dev.changeflow.schemas.PrimaryKeyResolver#byTable}).
     */
    public Map<String, List<String>> primaryKeys() {
        return PrimaryKeys.read(
                this::connect, PrimaryKeys.Namespace.SCHEMA, config.tableList(), where());
    }

    private Connection connect() {
        Properties props = new Properties();
        props.setProperty("user", config.username());
        props.setProperty("password", config.password());
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "10");
        try {
            return JdbcConnections.connect(new org.postgresql.Driver(), config.jdbcUrl(), props);
        } catch (SQLException e) {
            throw new CdcSetupException(connectFailure(e), e);
        }
    }

    private String connectFailure(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String hint;
        if (state.equals("28P01")) {
            hint = "password authentication failed; check options 'username' and 'password'";
        } else if (state.startsWith("28")) {
            hint =
                    "the server rejected the login (pg_hba.conf or the role's LOGIN attribute);"
                            + " check option 'username'";
        } else if (state.equals("3D000")) {
            hint = "the database does not exist; check option 'database-name'";
        } else if (state.startsWith("08")) {
            hint = "the server is not reachable; check options 'hostname' and 'port'";
        } else {
            hint = "check the connection options";
        }
        return "cannot connect to PostgreSQL at "
                + where()
                + " as user '"
                + config.username()
                + "': "
                + hint
                + " ("
                + e.getMessage()
                + ")";
    }

    private void checkWalLevel(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SHOW wal_level")) {
            rs.next();
            String walLevel = rs.getString(1);
            if (!"logical".equals(walLevel)) {
                throw new CdcSetupException(
                        "PostgreSQL at "
                                + where()
                                + " has wal_level = '"
                                + walLevel
                                + "', log-based CDC needs wal_level = logical: set it in"
                                + " postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and"
                                + " restart the server");
            }
        }
    }

    private void checkRole(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(ROLE_SQL)) {
            rs.next();
            boolean superuser = rs.getBoolean(1);
            boolean replication = rs.getBoolean(2);
            boolean login = rs.getBoolean(3);
            if (!login) {
                throw new CdcSetupException(
                        "user '"
                                + config.username()
                                + "' lacks the LOGIN attribute; run ALTER ROLE "
                                + ident(config.username())
                                + " LOGIN");
            }
            if (!superuser && !replication) {
                throw new CdcSetupException(
                        "user '"
                                + config.username()
                                + "' lacks the REPLICATION attribute needed to read the WAL"
                                + " through a replication slot; run ALTER ROLE "
                                + ident(config.username())
                                + " REPLICATION (or set option 'username' to a user that has it)");
            }
        }
    }

    private List<CapturedTable> capturedTables(Connection connection) throws SQLException {
        List<Pattern> schemas = patterns(config.schemaList());
        List<Pattern> wanted = patterns(config.tableList());
        boolean[] matched = new boolean[wanted.size()];
        List<CapturedTable> tables = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(TABLES_SQL)) {
            while (rs.next()) {
                CapturedTable table =
                        new CapturedTable(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3).charAt(0),
                                rs.getBoolean(4),
                                rs.getBoolean(5));
                if (schemas.stream().noneMatch(p -> p.matcher(table.schema()).matches())) {
                    continue;
                }
                boolean captured = false;
                for (int i = 0; i < wanted.size(); i++) {
                    if (wanted.get(i).matcher(table.qualifiedName()).matches()) {
                        matched[i] = true;
                        captured = true;
                    }
                }
                if (captured) {
                    tables.add(table);
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < matched.length; i++) {
            if (!matched[i]) {
                missing.add(config.tableList().get(i));
            }
        }
        if (!missing.isEmpty()) {
            throw new CdcSetupException(
                    "captured table(s) not found in database '"
                            + config.database()
                            + "' (option '"
                            + PostgresLogSourceOptions.TABLE_LIST.key()
                            + "', schemas "
                            + config.schemaList()
                            + "): "
                            + String.join(", ", missing));
        }
        List<String> unreadable =
                tables.stream()
                        .filter(t -> !t.selectable())
                        .map(CapturedTable::quoted)
                        .collect(Collectors.toList());
        if (!unreadable.isEmpty()) {
            throw new CdcSetupException(
                    "user '"
                            + config.username()
                            + "' lacks SELECT on captured table(s) "
                            + String.join(", ", unreadable)
                            + "; run GRANT SELECT ON "
                            + String.join(", ", unreadable)
                            + " TO "
                            + ident(config.username()));
        }
        return tables;
    }

    private void ensureReplicaIdentityFull(Connection connection, List<CapturedTable> tables)
            throws SQLException {
        List<CapturedTable> notFull =
                tables.stream().filter(t -> !t.replicaIdentityFull()).collect(Collectors.toList());
        if (notFull.isEmpty()) {
            return;
        }
        if (config.replicaIdentityMode() == ReplicaIdentityMode.CHECK) {
            String alters =
                    notFull.stream()
                            .map(t -> "ALTER TABLE " + t.quoted() + " REPLICA IDENTITY FULL;")
                            .collect(Collectors.joining(" "));
            throw new CdcSetupException(
                    "captured table(s) without REPLICA IDENTITY FULL: "
                            + notFull.stream()
                                    .map(CapturedTable::qualifiedName)
                                    .collect(Collectors.joining(", "))
                            + "; updates and deletes would carry no full before row. Run: "
                            + alters
                            + " or set option '"
                            + PostgresLogSourceOptions.REPLICA_IDENTITY.key()
                            + "' = auto");
        }
        for (CapturedTable table : notFull) {
            String sql = "ALTER TABLE " + table.quoted() + " REPLICA IDENTITY FULL";
            try (Statement st = connection.createStatement()) {
                st.execute(sql);
                LOG.info("set REPLICA IDENTITY FULL on {}", table.qualifiedName());
            } catch (SQLException e) {
                throw new CdcSetupException(
                        "cannot set REPLICA IDENTITY FULL on "
                                + table.qualifiedName()
                                + " as user '"
                                + config.username()
                                + "' ("
                                + e.getMessage()
                                + "); run as the table owner: "
                                + sql,
                        e);
            }
        }
    }

    private void ensurePublication(Connection connection, List<CapturedTable> tables)
            throws SQLException {
        String name = config.publicationName();
        boolean ownsPublication;
        try (PreparedStatement ps = connection.prepareStatement(PUBLICATION_SQL)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    String create =
                            "CREATE PUBLICATION " + ident(name) + " FOR TABLE " + list(tables);
                    checkMayPublish(connection, tables, true, create);
                    execute(connection, create);
                    LOG.info("created publication {} for {}", name, list(tables));
                    return;
                }
                if (!rs.getBoolean(2) || !rs.getBoolean(3) || !rs.getBoolean(4)) {
                    throw new CdcSetupException(
                            "publication '"
                                    + name
                                    + "' does not publish inserts, updates and deletes; run ALTER"
                                    + " PUBLICATION "
                                    + ident(name)
                                    + " SET (publish = 'insert, update, delete')");
                }
                if (rs.getBoolean(1)) {
                    return; // FOR ALL TABLES
                }
                ownsPublication = rs.getBoolean(5);
            }
        }
        Set<String> published = new LinkedHashSet<>();
        try (PreparedStatement ps = connection.prepareStatement(PUBLICATION_TABLES_SQL)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    published.add(rs.getString(1) + "." + rs.getString(2));
                }
            }
        }
        List<CapturedTable> missing =
                tables.stream()
                        .filter(t -> !published.contains(t.qualifiedName()))
                        .collect(Collectors.toList());
        if (!missing.isEmpty()) {
            String alter = "ALTER PUBLICATION " + ident(name) + " ADD TABLE " + list(missing);
            checkMayPublish(connection, missing, ownsPublication, alter);
            execute(connection, alter);
            LOG.info("added {} to publication {}", list(missing), name);
        }
    }

    /**
     * Fails naming what the user lacks to run {@code sql}: creating a publication needs CREATE on
     * the database, adding tables to one needs owning it, and both need owning the tables.
     */
    private void checkMayPublish(
            Connection connection, List<CapturedTable> tables, boolean ownsPublication, String sql)
            throws SQLException {
        List<String> lacks = new ArrayList<>();
        if (sql.startsWith("CREATE")) {
            try (Statement st = connection.createStatement();
                    ResultSet rs =
                            st.executeQuery(
                                    "SELECT has_database_privilege(current_database(), 'CREATE')")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    lacks.add("CREATE on database '" + config.database() + "'");
                }
            }
        } else if (!ownsPublication) {
            lacks.add("ownership of publication '" + config.publicationName() + "'");
        }
        List<String> notOwned =
                tables.stream()
                        .filter(t -> !t.owned())
                        .map(CapturedTable::qualifiedName)
                        .collect(Collectors.toList());
        if (!notOwned.isEmpty()) {
            lacks.add("ownership of table(s) " + String.join(", ", notOwned));
        }
        if (lacks.isEmpty()) {
            return;
        }
        throw new CdcSetupException(
                "user '"
                        + config.username()
                        + "' may not set up publication '"
                        + config.publicationName()
                        + "' for the captured tables: it lacks "
                        + String.join(" and ", lacks)
                        + ". Have the tables' owner (or a superuser) run: "
                        + sql
                        + "; the source then only reads the publication (or name an existing one"
                        + " with option '"
                        + PostgresLogSourceOptions.PUBLICATION_NAME.key()
                        + "')");
    }

    private void checkSlot(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(SLOT_SQL)) {
            ps.setString(1, config.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return; // Flink CDC creates it
                }
                String plugin = rs.getString(1);
                String database = rs.getString(2);
                if (!"pgoutput".equals(plugin) || !config.database().equals(database)) {
                    throw new CdcSetupException(
                            "replication slot '"
                                    + config.slotName()
                                    + "' exists for plugin '"
                                    + plugin
                                    + "' on database '"
                                    + database
                                    + "', expected pgoutput on '"
                                    + config.database()
                                    + "'; choose another option 'slot.name' or drop it with"
                                    + " SELECT pg_drop_replication_slot('"
                                    + config.slotName()
                                    + "')");
                }
            }
        }
    }

    private void execute(Connection connection, String sql) {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new CdcSetupException(
                    "cannot run '"
                            + sql
                            + "' as user '"
                            + config.username()
                            + "' ("
                            + e.getMessage()
                            + "); run it as the owner of the tables (or a superuser), or name an"
                            + " existing publication with option '"
                            + PostgresLogSourceOptions.PUBLICATION_NAME.key()
                            + "'",
                    e);
        }
    }

    private String where() {
        return config.hostname() + ":" + config.port() + "/" + config.database();
    }

    private static List<Pattern> patterns(List<String> regexes) {
        return regexes.stream().map(Pattern::compile).collect(Collectors.toList());
    }

    private static String list(List<CapturedTable> tables) {
        return tables.stream().map(CapturedTable::quoted).collect(Collectors.joining(", "));
    }

    static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
