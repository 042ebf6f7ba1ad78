package dev.changeflow.cdc.query.dialect;

import dev.changeflow.cdc.jdbc.PrimaryKeys;
import dev.changeflow.cdc.query.config.QuerySourceConfig;
import dev.changeflow.cdc.query.config.TablePlan;

import javax.annotation.Nullable;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Properties;

/**
 * MariaDB (and MySQL) through MySQL Connector/J, the driver the log source uses. Horizon: the start
 * of the oldest open InnoDB transaction of another connection in {@code
 * information_schema.innodb_trx} (needs PROCESS). {@code trx_started} has whole seconds and is set
 * when InnoDB registers the transaction, which can be just after its first statement took {@code
 * NOW()}: the horizon is one second earlier still. InnoDB refreshes that table from a cache at most
 * every 100 ms, so {@code query.horizon.margin} must be larger (at least 200 ms). Session {@code
 * time_zone} is {@code +00:00}, so TIMESTAMP columns are read as UTC instants (TYPES.md).
 */
public final class MariaDbDialect extends Dialect {

    private static final long serialVersionUID = 1L;

    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(MariaDbDialect.class);

    /** How long a view of open transactions is reused before the next probe. */
    static final Duration VIEW_REUSE = Duration.ofMillis(150);

    @Nullable private transient OpenTransactions lastView;
    private transient long lastViewNanos;
    private transient long lastProbeNanos;
    private transient int staleProbes;

    private static final java.time.format.DateTimeFormatter TEXT =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    static final String OPEN_TRANSACTIONS =
            " FROM information_schema.innodb_trx WHERE trx_mysql_thread_id <> CONNECTION_ID()";

    @Override
    public PrimaryKeys.Namespace namespace() {
        return PrimaryKeys.Namespace.CATALOG;
    }

    @Override
    protected Driver driver() {
        try {
            return new com.mysql.cj.jdbc.Driver();
        } catch (SQLException e) {
            throw new IllegalStateException("MySQL Connector/J cannot be loaded", e);
        }
    }

    @Override
    public String jdbcUrl(QuerySourceConfig config) {
        return "jdbc:mysql://"
                + config.hostname()
                + ":"
                + config.port()
                + "/"
                + config.database()
                + "?useSSL=false&allowPublicKeyRetrieval=true&connectionTimeZone=UTC"
                + "&forceConnectionTimeZoneToSession=false";
    }

    @Override
    protected void connectionProperties(Properties props) {}

    @Override
    protected String[] sessionSettings() {
        return new String[] {"SET time_zone = '+00:00'"};
    }

    @Override
    protected String[] optionalSessionSettings() {
        // MySQL 8 caches information_schema.tables.AUTO_INCREMENT for a day by default
        return new String[] {"SET SESSION information_schema_stats_expiry = 0"};
    }

    @Override
    public String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    @Override
    public String timestampHorizon(Connection connection, Duration margin) throws SQLException {
        OpenTransactions open = openTransactions(connection);
        if (open == null) {
            return null;
        }
        // a reused view: its horizon is older, never wrong
        LocalDateTime horizon = open.probeStart;
        if (open.oldest != null && open.oldest.minusSeconds(1).isBefore(horizon)) {
            // trx_started has whole seconds and is set just after the first statement's NOW()
            horizon = open.oldest.minusSeconds(1);
        }
        return TEXT.format(horizon.minusNanos(margin.toNanos()));
    }

    /**
     * The open transactions, from a view at most {@link #VIEW_REUSE} old. InnoDB serves innodb_trx
     * from a cache that it refreshes only after 100 ms without any reader, so under frequent
     * readers it can be arbitrarily old. Each read therefore runs inside a probe transaction whose
     * statement carries a nonce: the view is trusted only when it shows our thread running that
     * very statement, which proves it was taken after the probe started. Reads are spaced by {@link
     * #VIEW_REUSE} so that this reader does not keep the cache from refreshing; a view is valid for
     * any later horizon (it is only more conservative).
     *
     * @return null when no fresh view could be taken (retry later)
     */
    @Nullable
    private OpenTransactions openTransactions(Connection connection) throws SQLException {
        long now = System.nanoTime();
        if (lastView != null && now - lastViewNanos < VIEW_REUSE.toNanos()) {
            return lastView;
        }
        if (lastProbeNanos != 0 && now - lastProbeNanos < VIEW_REUSE.toNanos()) {
            return lastView;
        }
        lastProbeNanos = now;
        String nonce = "probe-" + java.util.UUID.randomUUID();
        try (Statement st = connection.createStatement()) {
            st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            try {
                LocalDateTime start;
                try (ResultSet rs = st.executeQuery("SELECT NOW(6)")) {
                    rs.next();
                    start = rs.getObject(1, LocalDateTime.class);
                }
                try (ResultSet rs =
                        st.executeQuery(
                                "SELECT '"
                                        + nonce
                                        + "', COALESCE(MAX(trx_mysql_thread_id = CONNECTION_ID()"
                                        + " AND trx_query LIKE '%"
                                        + nonce
                                        + "%'), 0), MIN(CASE WHEN trx_mysql_thread_id <>"
                                        + " CONNECTION_ID() THEN trx_started END)"
                                        + " FROM information_schema.innodb_trx")) {
                    rs.next();
                    if (!rs.getBoolean(2)) {
                        staleProbes++;
                        if (staleProbes % 50 == 0) {
                            LOG.warn(
                                    "{} reads of information_schema.innodb_trx in a row returned"
                                            + " a stale cache; is another client reading it"
                                            + " more often than every 100 ms? Polling waits.",
                                    staleProbes);
                        }
                        return lastView;
                    }
                    staleProbes = 0;
                    lastView = new OpenTransactions(start, rs.getObject(3, LocalDateTime.class));
                    lastViewNanos = now;
                    return lastView;
                }
            } finally {
                st.execute("COMMIT");
            }
        }
    }

    /** When the probe started, and the start of the oldest other open transaction (or null). */
    private record OpenTransactions(LocalDateTime probeStart, @Nullable LocalDateTime oldest) {}

    @Override
    public Sample sample(Connection connection, TablePlan plan) throws SQLException {
        long allocated;
        try (PreparedStatement ps =
                connection.prepareStatement(
                        "SELECT AUTO_INCREMENT FROM information_schema.tables"
                                + " WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, plan.namespace());
            ps.setString(2, plan.table());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                allocated = rs.getLong(1) - 1;
            }
        }
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT NOW(6)")) {
            rs.next();
            return new Sample(
                    allocated, rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC));
        }
    }

    @Override
    public boolean isSafe(Connection connection, Sample sample) throws SQLException {
        OpenTransactions open = openTransactions(connection);
        LocalDateTime at = LocalDateTime.ofInstant(sample.at(), ZoneOffset.UTC);
        // the view is newer than the probe, which started after the sample; trx_started is floored
        // to the second, so a transaction started just after `at` in its second also counts
        return open != null
                && open.probeStart.isAfter(at)
                && (open.oldest == null || open.oldest.isAfter(at));
    }

    @Override
    public Instant oldestOpenTransaction(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT MIN(trx_started)" + OPEN_TRANSACTIONS)) {
            rs.next();
            LocalDateTime start = rs.getObject(1, LocalDateTime.class);
            return start == null ? null : start.toInstant(ZoneOffset.UTC);
        }
    }

    @Override
    public Object value(ResultSet rs, int i, ResultSetMetaData meta) throws SQLException {
        switch (meta.getColumnTypeName(i)) {
            case "TIMESTAMP":
                LocalDateTime utc = rs.getObject(i, LocalDateTime.class);
                return utc == null ? null : utc.atOffset(ZoneOffset.UTC);
            case "DATETIME":
                return rs.getObject(i, LocalDateTime.class);
            case "DATE":
                return rs.getObject(i, LocalDate.class);
            case "TIME":
                return rs.getObject(i, LocalTime.class);
            default:
                return rs.getObject(i);
        }
    }

    @Override
    public Instant instant(ResultSet rs, int i, ResultSetMetaData meta) throws SQLException {
        LocalDateTime value = rs.getObject(i, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }
}
