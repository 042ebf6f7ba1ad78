package dev.changeflow.cdc.query.preflight;

import dev.changeflow.cdc.jdbc.PrimaryKeys;
import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.query.config.QueryDialect;
import dev.changeflow.cdc.query.config.QuerySourceConfig;
import dev.changeflow.cdc.query.config.TableMode;
import dev.changeflow.cdc.query.config.TablePlan;
import dev.changeflow.cdc.query.config.TableSpec;
import dev.changeflow.cdc.query.dialect.Dialect;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks, before the job starts, everything the query source relies on and resolves each table's
 * {@link TablePlan}; fails with a {@link CdcSetupException} that names the problem and the fix: the
 * login, the privilege to see other sessions' transactions (without it the horizon would silently
 * ignore them), tables and their primary keys, the polled columns (exist, right type, leading
 * column of an index), and the sequence or AUTO_INCREMENT of incrementing columns.
 */
public final class QueryPreflight {

    private static final Logger LOG = LoggerFactory.getLogger(QueryPreflight.class);
    private static final Set<Integer> INTEGER_TYPES =
            Set.of(Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT);

    private final QuerySourceConfig config;
    private final Dialect dialect;

    public QueryPreflight(QuerySourceConfig config) {
        this.config = config;
        this.dialect = Dialect.of(config.dialect());
    }

    /** Runs every check and returns the tables' plans, by {@code schema.table}/{@code db.table}. */
    public Map<String, TablePlan> run() {
        try (Connection c = connect()) {
            checkSeesOtherSessions(c);
            Map<String, List<String>> keys = primaryKeys(c);
            Map<String, TablePlan> plans = new LinkedHashMap<>();
            for (TableSpec spec : config.tables().values()) {
                plans.put(spec.table(), plan(c, spec, keys.get(spec.table())));
            }
            return plans;
        } catch (SQLException e) {
            throw new CdcSetupException(
                    "query source preflight failed at " + where() + ": " + e.getMessage(), e);
        }
    }

    /** The primary key columns of the polled tables. */
    public Map<String, List<String>> primaryKeys() {
        try (Connection c = connect()) {
            return primaryKeys(c);
        } catch (SQLException e) {
            throw new CdcSetupException(
                    "cannot read the primary keys at " + where() + ": " + e.getMessage(), e);
        }
    }

    private Map<String, List<String>> primaryKeys(Connection c) throws SQLException {
        List<String> patterns = new ArrayList<>();
        for (String table : config.tableList()) {
            patterns.add(Pattern.quote(table));
        }
        return PrimaryKeys.read(c, dialect.namespace(), patterns);
    }

    private Connection connect() {
        try {
            return dialect.connect(config);
        } catch (SQLException e) {
            throw new CdcSetupException(
                    "cannot connect to "
                            + where()
                            + " as '"
                            + config.username()
                            + "': "
                            + e.getMessage()
                            + " (check hostname, port, database-name, username and password)",
                    e);
        }
    }

    private void checkSeesOtherSessions(Connection c) throws SQLException {
        if (config.dialect() == QueryDialect.POSTGRES) {
            try (Statement st = c.createStatement();
                    ResultSet rs =
                            st.executeQuery(
                                    "SELECT rolsuper OR pg_has_role(current_user,"
                                            + " 'pg_read_all_stats', 'MEMBER')"
                                            + " FROM pg_roles WHERE rolname = current_user")) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    throw new CdcSetupException(
                            "user '"
                                    + config.username()
                                    + "' cannot see other sessions' transactions in"
                                    + " pg_stat_activity, so the commit-safe horizon would miss"
                                    + " rows of long transactions; run: GRANT pg_read_all_stats"
                                    + " TO "
                                    + config.username());
                }
            }
        } else {
            try (Statement st = c.createStatement();
                    ResultSet rs =
                            st.executeQuery("SELECT COUNT(*) FROM information_schema.innodb_trx")) {
                rs.next();
            } catch (SQLException e) {
                throw new CdcSetupException(
                        "user '"
                                + config.username()
                                + "' cannot read information_schema.innodb_trx ("
                                + e.getMessage()
                                + "), so the commit-safe horizon cannot see open transactions;"
                                + " run: GRANT PROCESS ON *.* TO '"
                                + config.username()
                                + "'@'%'",
                        e);
            }
        }
    }

    private TablePlan plan(Connection c, TableSpec spec, List<String> key) throws SQLException {
        if (key == null) {
            throw new CdcSetupException(
                    "table "
                            + spec.table()
                            + " does not exist or user '"
                            + config.username()
                            + "' cannot see it (check query.tables and GRANT SELECT)");
        }
        if (key.isEmpty()) {
            throw new CdcSetupException(
                    "table "
                            + spec.table()
                            + " has no primary key; the query source needs one for the snapshot,"
                            + " the record key and deletes (ALTER TABLE ... ADD PRIMARY KEY)");
        }
        int dot = spec.table().indexOf('.');
        String namespace = spec.table().substring(0, dot);
        String table = spec.table().substring(dot + 1);
        Map<String, Integer> types = new LinkedHashMap<>();
        Map<String, String> typeNames = new LinkedHashMap<>();
        String qualified = dialect.quote(namespace) + "." + dialect.quote(table);
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT * FROM " + qualified + " WHERE 1 = 0")) {
            ResultSetMetaData meta = rs.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                types.put(meta.getColumnLabel(i), meta.getColumnType(i));
                typeNames.put(meta.getColumnLabel(i), meta.getColumnTypeName(i));
            }
        } catch (SQLException e) {
            throw new CdcSetupException(
                    "cannot read table "
                            + spec.table()
                            + " as '"
                            + config.username()
                            + "': "
                            + e.getMessage()
                            + " (GRANT SELECT ON it)",
                    e);
        }
        String tieBreaker = null;
        String sequence = null;
        if (spec.mode() == TableMode.TIMESTAMP) {
            requireColumn(spec, spec.column(), types);
            int type = types.get(spec.column());
            if (type != Types.TIMESTAMP && type != Types.TIMESTAMP_WITH_TIMEZONE) {
                throw new CdcSetupException(
                        "timestamp column "
                                + spec.column()
                                + " of "
                                + spec.table()
                                + " is "
                                + typeNames.get(spec.column())
                                + ", expected a timestamp (PostgreSQL timestamptz/timestamp,"
                                + " MariaDB TIMESTAMP/DATETIME)");
            }
            tieBreaker = spec.tieBreaker();
            if (tieBreaker == null) {
                if (key.size() != 1) {
                    throw new CdcSetupException(
                            "table "
                                    + spec.table()
                                    + " has a composite key "
                                    + key
                                    + ": name an integer tie-breaker column in query.tables, e.g. '"
                                    + spec.table()
                                    + ":timestamp="
                                    + spec.column()
                                    + ",id'");
                }
                tieBreaker = key.get(0);
            }
            requireInteger(spec, tieBreaker, types, typeNames, "tie-breaker");
            requireIndex(c, spec, namespace, table, spec.column(), tieBreaker);
        } else {
            requireInteger(spec, spec.column(), types, typeNames, "incrementing");
            requireIndex(c, spec, namespace, table, spec.column(), null);
            sequence = requireIncrementing(c, spec, namespace, table);
        }
        String softDelete = present(config.softDeleteColumn(), types);
        boolean softDeleteBoolean =
                softDelete != null
                        && (types.get(softDelete) == Types.BOOLEAN
                                || types.get(softDelete) == Types.BIT);
        String created =
                spec.mode() == TableMode.TIMESTAMP ? present(config.createdColumn(), types) : null;
        String version =
                spec.mode() == TableMode.TIMESTAMP ? present(config.versionColumn(), types) : null;
        return new TablePlan(
                spec.table(),
                namespace,
                table,
                spec.mode(),
                spec.column(),
                tieBreaker,
                List.copyOf(key),
                softDelete,
                softDeleteBoolean,
                created,
                version,
                sequence);
    }

    private static String present(String column, Map<String, Integer> types) {
        return column != null && types.containsKey(column) ? column : null;
    }

    private static void requireColumn(TableSpec spec, String column, Map<String, Integer> types) {
        if (!types.containsKey(column)) {
            throw new CdcSetupException(
                    "column '"
                            + column
                            + "' named in query.tables does not exist in "
                            + spec.table()
                            + "; its columns are "
                            + types.keySet());
        }
    }

    private static void requireInteger(
            TableSpec spec,
            String column,
            Map<String, Integer> types,
            Map<String, String> typeNames,
            String role) {
        requireColumn(spec, column, types);
        if (!INTEGER_TYPES.contains(types.get(column))) {
            throw new CdcSetupException(
                    role
                            + " column "
                            + column
                            + " of "
                            + spec.table()
                            + " is "
                            + typeNames.get(column)
                            + ", expected an integer column");
        }
    }

    private void requireIndex(
            Connection c,
            TableSpec spec,
            String namespace,
            String table,
            String column,
            String tieBreaker)
            throws SQLException {
        String sql =
                config.dialect() == QueryDialect.POSTGRES
                        ? "SELECT count(*) FROM pg_index i JOIN pg_attribute a"
                                + " ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                                + " WHERE i.indrelid = to_regclass(?) AND a.attname = ?"
                        : "SELECT COUNT(*) FROM information_schema.statistics WHERE"
                                + " table_schema = ? AND table_name = ? AND column_name = ?"
                                + " AND seq_in_index = 1";
        long indexes;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (config.dialect() == QueryDialect.POSTGRES) {
                ps.setString(1, dialect.quote(namespace) + "." + dialect.quote(table));
                ps.setString(2, column);
            } else {
                ps.setString(1, namespace);
                ps.setString(2, table);
                ps.setString(3, column);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                indexes = rs.getLong(1);
            }
        }
        if (indexes == 0) {
            String message =
                    "column "
                            + column
                            + " of "
                            + spec.table()
                            + " is not the leading column of any index: every poll would scan"
                            + " the whole table; run: CREATE INDEX ON "
                            + spec.table()
                            + " ("
                            + column
                            + (tieBreaker != null ? ", " + tieBreaker : "")
                            + ") (or set query.require-index = false)";
            if (config.requireIndex()) {
                throw new CdcSetupException(message);
            }
            LOG.warn(message);
        }
    }

    /** The PostgreSQL sequence of an incrementing column (null on MariaDB), checked readable. */
    private String requireIncrementing(Connection c, TableSpec spec, String namespace, String table)
            throws SQLException {
        if (config.dialect() == QueryDialect.POSTGRES) {
            String sequence;
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
                ps.setString(1, dialect.quote(namespace) + "." + dialect.quote(table));
                ps.setString(2, spec.column());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    sequence = rs.getString(1);
                }
            }
            if (sequence == null) {
                throw new CdcSetupException(
                        "incrementing column "
                                + spec.column()
                                + " of "
                                + spec.table()
                                + " is not backed by a sequence (serial or identity); the source"
                                + " needs the sequence to know which values are allocated. Use"
                                + " timestamp mode, or make it GENERATED ... AS IDENTITY");
            }
            long cache;
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT last_value FROM " + sequence)) {
                rs.next();
                try (PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT seqcache FROM pg_sequence WHERE seqrelid ="
                                        + " to_regclass(?)")) {
                    ps.setString(1, sequence);
                    try (ResultSet cached = ps.executeQuery()) {
                        cache = cached.next() ? cached.getLong(1) : 1;
                    }
                }
            } catch (SQLException e) {
                throw new CdcSetupException(
                        "cannot read sequence "
                                + sequence
                                + " of "
                                + spec.table()
                                + ": "
                                + e.getMessage()
                                + "; run: GRANT SELECT ON SEQUENCE "
                                + sequence
                                + " TO "
                                + config.username(),
                        e);
            }
            if (cache > 1) {
                // a session hands out its cached values later, after transactions that started
                // after the sample: last_value no longer bounds what is still to come
                throw new CdcSetupException(
                        "sequence "
                                + sequence
                                + " of "
                                + spec.table()
                                + " caches "
                                + cache
                                + " values per session, so values at or below its last_value"
                                + " can still be assigned later; run: ALTER SEQUENCE "
                                + sequence
                                + " CACHE 1");
            }
            return sequence;
        }
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT EXTRA FROM information_schema.columns WHERE table_schema = ?"
                                + " AND table_name = ? AND column_name = ?")) {
            ps.setString(1, namespace);
            ps.setString(2, table);
            ps.setString(3, spec.column());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()
                        || rs.getString(1) == null
                        || !rs.getString(1).toLowerCase().contains("auto_increment")) {
                    throw new CdcSetupException(
                            "incrementing column "
                                    + spec.column()
                                    + " of "
                                    + spec.table()
                                    + " is not AUTO_INCREMENT; the source reads the table's"
                                    + " AUTO_INCREMENT to know which values are allocated. Use"
                                    + " timestamp mode, or make it AUTO_INCREMENT");
                }
            }
        }
        return null;
    }

    private String where() {
        return config.dialect().name().toLowerCase()
                + " "
                + config.hostname()
                + ":"
                + config.port()
                + "/"
                + config.database();
    }
}
