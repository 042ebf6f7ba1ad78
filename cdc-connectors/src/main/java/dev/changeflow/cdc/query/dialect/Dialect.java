package dev.changeflow.cdc.query.dialect;

import dev.changeflow.cdc.jdbc.JdbcConnections;
import dev.changeflow.cdc.jdbc.PrimaryKeys;
import dev.changeflow.cdc.query.config.QueryDialect;
import dev.changeflow.cdc.query.config.QuerySourceConfig;
import dev.changeflow.cdc.query.config.TablePlan;

import javax.annotation.Nullable;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

/**
 * The SQL that differs between PostgreSQL and MariaDB/MySQL: connections, quoting, value reading
 * (the Java types of TYPES.md) and the commit-safe horizon.
 */
public abstract class Dialect implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The dialect of {@code dialect}. */
    public static Dialect of(QueryDialect dialect) {
        return dialect == QueryDialect.POSTGRES ? new PostgresDialect() : new MariaDbDialect();
    }

    /** How table names are qualified. */
    public abstract PrimaryKeys.Namespace namespace();

    /** Opens a connection with the session settings the reader relies on (UTC). */
    public final Connection connect(QuerySourceConfig config) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", config.username());
        props.setProperty("password", config.password());
        connectionProperties(props);
        Connection connection = JdbcConnections.connect(driver(), jdbcUrl(config), props);
        try (Statement st = connection.createStatement()) {
            for (String sql : sessionSettings()) {
                st.execute(sql);
            }
            for (String sql : optionalSessionSettings()) {
                try {
                    st.execute(sql);
                } catch (SQLException unknownOnThisServer) {
                    // the setting exists on some versions only
                }
            }
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    protected abstract Driver driver();

    public abstract String jdbcUrl(QuerySourceConfig config);

    protected abstract void connectionProperties(Properties props);

    protected abstract String[] sessionSettings();

    /** Settings applied where the server knows them. */
    protected String[] optionalSessionSettings() {
        return new String[0];
    }

    /** Quotes an identifier. */
    public abstract String quote(String identifier);

    /** The table's qualified, quoted name. */
    public String qualified(TablePlan plan) {
        return quote(plan.namespace()) + "." + quote(plan.table());
    }

    /**
     * The commit-safe horizon of timestamp columns, as database text (UTC): no transaction that is
     * still open can write a timestamp below it. Null when the view of open transactions cannot be
     * trusted yet (MariaDB's stale innodb_trx cache): the caller reads nothing this time.
     */
    @Nullable
    public abstract String timestampHorizon(Connection connection, Duration margin)
            throws SQLException;

    /**
     * Samples the highest value allocated so far for an incrementing column ({@code L}), then the
     * server's clock ({@code T}), in that order.
     */
    public abstract Sample sample(Connection connection, TablePlan plan) throws SQLException;

    /**
     * Whether every transaction that was open at {@code sample.at} has ended, so every value up to
     * {@code sample.allocated} is committed or rolled back. False too while the view of open
     * transactions cannot be trusted to be newer than the sample.
     */
    public abstract boolean isSafe(Connection connection, Sample sample) throws SQLException;

    /** The start of the oldest open transaction of another session, or null if none. */
    @Nullable
    public abstract Instant oldestOpenTransaction(Connection connection) throws SQLException;

    /**
     * The value of column {@code i} as the Java type TYPES.md maps it from (what the log source
     * produces for the same column).
     */
    public abstract Object value(ResultSet rs, int i, ResultSetMetaData meta) throws SQLException;

    /** A timestamp column value as an instant (UTC for columns without a time zone). */
    @Nullable
    public abstract Instant instant(ResultSet rs, int i, ResultSetMetaData meta)
            throws SQLException;

    /**
     * A high-water sample of an incrementing column.
     *
     * @param allocated the highest value allocated when the sample was taken
     * @param at the server's clock just after reading it
     */
    public record Sample(long allocated, Instant at) implements Serializable {}
}
