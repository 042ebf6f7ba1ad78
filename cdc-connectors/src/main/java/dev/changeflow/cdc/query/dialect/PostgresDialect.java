package dev.changeflow.cdc.query.dialect;

import dev.changeflow.cdc.config.PostgresHstore;
import dev.changeflow.cdc.jdbc.PrimaryKeys;
import dev.changeflow.cdc.query.config.QuerySourceConfig;
import dev.changeflow.cdc.query.config.TablePlan;
import dev.changeflow.schemas.JsonText;

import java.sql.Array;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Properties;

/**
 * PostgreSQL. Horizon: the start of the oldest open transaction of another client backend in {@code
 * pg_stat_activity} ({@code now()}, {@code DEFAULT now()} and triggers setting {@code now()} all
 * take the transaction's start time, and {@code clock_timestamp()} is later still), which the user
 * sees only with {@code pg_read_all_stats} (or as superuser).
 */
public final class PostgresDialect extends Dialect {

    private static final long serialVersionUID = 1L;

    /** Other client sessions' open transactions. */
    static final String OPEN_TRANSACTIONS =
            " FROM pg_stat_activity WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()"
                    + " AND backend_type = 'client backend'";

    @Override
    public PrimaryKeys.Namespace namespace() {
        return PrimaryKeys.Namespace.SCHEMA;
    }

    @Override
    protected Driver driver() {
        return new org.postgresql.Driver();
    }

    @Override
    public String jdbcUrl(QuerySourceConfig config) {
        return "jdbc:postgresql://"
                + config.hostname()
                + ":"
                + config.port()
                + "/"
                + config.database();
    }

    @Override
    protected void connectionProperties(Properties props) {
        // positions and keys travel as text: let the server type them like literals
        props.setProperty("stringtype", "unspecified");
        props.setProperty("ApplicationName", "changeflow-query-cdc");
    }

    @Override
    protected String[] sessionSettings() {
        return new String[] {"SET TimeZone = 'UTC'"};
    }

    @Override
    public String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    public String timestampHorizon(Connection connection, Duration margin) throws SQLException {
        // pg_stat_activity is read live from shared memory by a fresh statement
        try (Statement st = connection.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT least(min(xact_start), now()) - interval '"
                                        + margin.toNanos() / 1000
                                        + " microseconds'"
                                        + OPEN_TRANSACTIONS)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    public Sample sample(Connection connection, TablePlan plan) throws SQLException {
        long allocated;
        try (Statement st = connection.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT last_value, is_called FROM " + plan.sequence())) {
            rs.next();
            allocated = rs.getBoolean(2) ? rs.getLong(1) : rs.getLong(1) - 1;
        }
        // a separate, later statement: every value up to `allocated` was handed out before `at`
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return new Sample(allocated, rs.getObject(1, OffsetDateTime.class).toInstant());
        }
    }

    @Override
    public boolean isSafe(Connection connection, Sample sample) throws SQLException {
        try (PreparedStatement ps =
                connection.prepareStatement(
                        "SELECT NOT EXISTS (SELECT 1"
                                + OPEN_TRANSACTIONS
                                + " AND xact_start <= ?)")) {
            ps.setObject(1, sample.at().atOffset(ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    @Override
    public Instant oldestOpenTransaction(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT min(xact_start)" + OPEN_TRANSACTIONS)) {
            rs.next();
            OffsetDateTime start = rs.getObject(1, OffsetDateTime.class);
            return start == null ? null : start.toInstant();
        }
    }

    @Override
    public Object value(ResultSet rs, int i, ResultSetMetaData meta) throws SQLException {
        String type = meta.getColumnTypeName(i);
        switch (type) {
            case "timestamptz":
                return rs.getObject(i, OffsetDateTime.class);
            case "timestamp":
                return rs.getObject(i, LocalDateTime.class);
            case "date":
                return rs.getObject(i, LocalDate.class);
            case "time":
                return rs.getObject(i, LocalTime.class);
            case "timetz":
                return rs.getObject(i, OffsetTime.class);
            case "json":
            case "jsonb":
                String json = rs.getString(i);
                return json == null ? null : new JsonText(json);
            case "bytea":
                return rs.getBytes(i);
            case "hstore":
                Object hstore = rs.getObject(i);
                return hstore == null ? null : PostgresHstore.ordered((Map<?, ?>) hstore);
            case "numeric":
                return rs.getBigDecimal(i);
            default:
                if (meta.getColumnType(i) == Types.ARRAY) {
                    Array array = rs.getArray(i);
                    return array == null ? null : array.getArray();
                }
                return rs.getObject(i);
        }
    }

    @Override
    public Instant instant(ResultSet rs, int i, ResultSetMetaData meta) throws SQLException {
        if ("timestamptz".equals(meta.getColumnTypeName(i))) {
            OffsetDateTime value = rs.getObject(i, OffsetDateTime.class);
            return value == null ? null : value.toInstant();
        }
        LocalDateTime value = rs.getObject(i, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }
}
