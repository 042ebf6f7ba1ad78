package dev.changeflow.cdc.trigger;

import dev.changeflow.cdc.jdbc.JdbcConnections;
import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.trigger.TriggerSourceConfig.TableId;

import com.fasterxml.jackson.databind.JsonNode;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * What differs between PostgreSQL and MariaDB/MySQL: the installer's SQL, the commit-safe horizon,
 * the snapshot, the purge and the decoding of the trigger's JSON values. One instance per reader
 * (the MariaDB/MySQL dialect keeps horizon samples in memory).
 */
public abstract class TriggerDialect {

    protected final TriggerSourceConfig config;

    protected TriggerDialect(TriggerSourceConfig config) {
        this.config = config;
    }

    /** The dialect of the configured database. */
    public static TriggerDialect of(TriggerSourceConfig config) {
        switch (config.dialect()) {
            case MYSQL:
                return new MySqlTriggerDialect(config);
            default:
                return new PostgresTriggerDialect(config);
        }
    }

    /** Whether a table has its triggers, and how many audit rows of it wait. */
    public record TableStatus(TableId table, boolean installed, long pendingRows) {}

    /** What a poll read. */
    public record Poll(String position, int rows, boolean more) {}

    /** Opens a connection through the driver directly (never DriverManager). */
    public Connection connect() {
        Properties props = new Properties();
        props.setProperty("user", config.username());
        props.setProperty("password", config.password());
        try {
            return JdbcConnections.connect(driver(), config.jdbcUrl(), props);
        } catch (SQLException e) {
            throw new CdcSetupException(
                    "cannot connect to "
                            + config.where()
                            + " as '"
                            + config.username()
                            + "': "
                            + e.getMessage()
                            + "; check options 'hostname', 'port', 'username' and 'password'",
                    e);
        }
    }

    protected abstract java.sql.Driver driver();

    // ---- installer

    /** Creates the audit table (if missing) and (re)creates the triggers of {@code tables}. */
    public abstract void install(Connection c, List<TableId> tables) throws SQLException;

    /** Drops the triggers; the audit table too if no table is left or {@code dropAuditTable}. */
    public abstract void uninstall(Connection c, List<TableId> tables, boolean dropAuditTable)
            throws SQLException;

    /** Per table whether its triggers are installed and how many audit rows wait. */
    public abstract List<TableStatus> status(Connection c, List<TableId> tables)
            throws SQLException;

    /** Whether the audit table exists. */
    public abstract boolean auditTableExists(Connection c) throws SQLException;

    // ---- source

    /** The columns of each table, in column order, with their type names. */
    public abstract Map<TableId, Map<String, String>> columnTypes(
            Connection c, List<TableId> tables) throws SQLException;

    /**
     * Finds the start position; with {@code snapshot} reads the captured tables consistently with
     * it, handing each row to {@code rows} (op {@code r}).
     */
    public abstract String start(Connection c, boolean snapshot, Consumer<AuditRow> rows)
            throws SQLException;

    /** Reads at most {@code limit} audit rows after {@code position} below the safe horizon. */
    public abstract Poll poll(Connection c, String position, int limit, Consumer<AuditRow> rows)
            throws SQLException;

    /** Deletes the audit rows of the captured tables that {@code position} covers. */
    public abstract int purge(Connection c, String position, Duration retention)
            throws SQLException;

    /**
     * Decodes one JSON value written by the trigger for a column of the given type into a Java
     * value {@link dev.changeflow.schemas.ColumnValues} encodes as the log source does.
     *
     * @throws IllegalArgumentException if the value cannot be decoded
     */
    public abstract Object decode(String type, JsonNode value);

    /** The {@code (schema, table) IN (...)} filter, for messages and SQL. */
    protected static String quoteLiteral(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
