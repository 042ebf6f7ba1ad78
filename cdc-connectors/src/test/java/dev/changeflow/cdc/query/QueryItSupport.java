package dev.changeflow.cdc.query;

import dev.changeflow.schemas.ChangeEvent;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** What the query source ITs share. */
final class QueryItSupport {

    private QueryItSupport() {}

    static void exec(Connection c, String... sqls) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : sqls) {
                st.execute(sql);
            }
        }
    }

    /** The final row per id after applying the events in order (a delete removes it). */

    /** The ids of the events, in order. */
    static List<Long> ids(List<ChangeEvent> events) {
        List<Long> ids = new ArrayList<>();
        for (ChangeEvent e : events) {
            ids.add((Long) e.row().get("id"));
        }
        return ids;
    }
}
