package dev.changeflow.cdc.trigger;

import dev.changeflow.schemas.ChangeEvent;

import org.apache.flink.api.common.functions.MapFunction;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** What the trigger source ITs share. */
final class TriggerItSupport {

    private TriggerItSupport() {}

    static void exec(Connection c, String... sqls) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : sqls) {
                st.execute(sql);
            }
        }
    }

    static long count(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Counts the events that pass (a static counter: one probe per JVM at a time). */
    static final class Counter implements MapFunction<ChangeEvent, ChangeEvent> {
        static final AtomicInteger SEEN = new AtomicInteger();

        @Override
        public ChangeEvent map(ChangeEvent event) {
            SEEN.incrementAndGet();
            return event;
        }
    }
}
