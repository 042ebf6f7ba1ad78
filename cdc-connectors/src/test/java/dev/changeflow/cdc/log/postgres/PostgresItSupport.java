package dev.changeflow.cdc.log.postgres;

import dev.changeflow.localstack.server.PostgresServer;

import org.awaitility.core.ConditionTimeoutException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import static org.awaitility.Awaitility.await;

/** What the PostgreSQL log source ITs share: a source builder, SQL, slots and LSNs. */
final class PostgresItSupport {

    private PostgresItSupport() {}

    /**
     * A source for one table of the local stack's database: split size 2, heartbeats every second,
     * slot dropped when the job stops.
     */
    static PostgresLogSource.Builder source(PostgresServer pg, String table, String slot) {
        return PostgresLogSource.builder()
                .hostname(pg.host())
                .port(pg.port())
                .database(pg.database())
                .username(pg.user())
                .password(pg.password())
                .tableList(table)
                .slotName(slot)
                .splitSize(2)
                .heartbeatInterval(Duration.ofSeconds(1))
                .debeziumProperties(props("slot.drop.on.stop", "true"));
    }

    static Properties props(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return p;
    }

    static void exec(Connection c, String... sqls) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : sqls) {
                st.execute(sql);
            }
        }
    }

    /** The single value of a query. */
    static String query(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Drops the slot (and the per-reader backfill slots Flink CDC derives from it). */
    static void resetSlot(Connection c, String slot) throws Exception {
        try {
            await("slots " + slot + "* dropped")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> dropInactiveSlots(c, slot) == 0);
        } catch (ConditionTimeoutException e) {
            // a slot still held by a job that is going away: the next test uses its own slot name
        }
    }

    /** Drops the inactive slots named {@code slot*}; returns how many such slots remain. */
    private static int dropInactiveSlots(Connection c, String slot) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                            + " WHERE slot_name LIKE '"
                            + slot
                            + "%' AND NOT active");
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '"
                                    + slot
                                    + "%'")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The slot's {@code confirmed_flush_lsn}, or -1 while the slot does not exist (yet). */
    static long confirmedFlushLsn(Connection c, String slot) throws SQLException {
        String lsn =
                query(
                        c,
                        "SELECT confirmed_flush_lsn::text FROM pg_replication_slots"
                                + " WHERE slot_name = ?",
                        slot);
        return lsn == null ? -1 : lsn(lsn);
    }

    /** The slot's {@code restart_lsn} (the oldest WAL it retains), or -1 without the slot. */
    static long restartLsn(Connection c, String slot) throws SQLException {
        String lsn =
                query(
                        c,
                        "SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = ?",
                        slot);
        return lsn == null ? -1 : lsn(lsn);
    }

    /** Where the next WAL record will be written ({@code pg_current_wal_insert_lsn()}). */
    static long walInsertLsn(Connection c) throws SQLException {
        return lsn(query(c, "SELECT pg_current_wal_insert_lsn()::text"));
    }

    /**
     * Waits until the slot's walsender has sent everything up to {@code lsn}, i.e. the source has
     * received the changes written before it.
     */
    static void awaitSent(Connection c, String slot, long lsn) {
        await("walsender of " + slot + " sent up to " + lsnText(lsn))
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () -> {
                            String sent =
                                    query(
                                            c,
                                            "SELECT r.sent_lsn::text FROM pg_stat_replication r"
                                                    + " JOIN pg_replication_slots s"
                                                    + " ON s.active_pid = r.pid"
                                                    + " WHERE s.slot_name = ?",
                                            slot);
                            return sent != null && lsn(sent) >= lsn;
                        });
    }

    /** {@code 16/B374D848} as a number. */
    static long lsn(String text) {
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32)
                | Long.parseLong(text.substring(slash + 1), 16);
    }

    /** A number as {@code 16/B374D848}. */
    static String lsnText(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase()
                + "/"
                + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    /** The LSN of an event's {@code source.position} ({@code XXXXXXXX/XXXXXXXX}). */
    static long lsnOfPosition(String position) {
        return lsn(position);
    }
}
