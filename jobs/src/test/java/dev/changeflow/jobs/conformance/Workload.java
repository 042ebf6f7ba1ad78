package dev.changeflow.jobs.conformance;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The conformance workload: the same logical changes on PostgreSQL and MariaDB, and the record of
 * what every committed change should look like downstream.
 *
 * <p>Each change is written as {@code op:name:qty} ({@code d} for a delete), per row id, in commit
 * order; a transaction's changes are recorded when it commits, never when it rolls back.
 */
final class Workload {

    private final Dialect dialect;
    private final Map<Long, List<String>> expected = new TreeMap<>();
    private final Set<Long> rolledBack = new HashSet<>();
    private int next;

    Workload(Dialect dialect) {
        this.dialect = dialect;
    }

    /** The committed changes per row id, in commit order. */
    Map<Long, List<String>> expected() {
        return expected;
    }

    /** Ids that were inserted by a transaction that rolled back. */
    Set<Long> rolledBack() {
        return rolledBack;
    }

    /** Rows that exist before capture starts: their snapshot reads are {@code r}. */
    List<Long> seed(Connection c, int rows) throws SQLException {
        try (Statement s = c.createStatement()) {
            dialect.create(s);
        }
        Transaction t = begin(c);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            ids.add(t.insert());
        }
        t.commit();
        ids.forEach(id -> expected.get(id).set(0, expected.get(id).get(0).replace("c:", "r:")));
        return ids;
    }

    Transaction begin(Connection c) throws SQLException {
        c.setAutoCommit(false);
        return new Transaction(c);
    }

    /** One open transaction; its changes count once it commits. */
    final class Transaction {
        private final Connection c;
        private final List<Map.Entry<Long, String>> pending = new ArrayList<>();

        private Transaction(Connection c) {
            this.c = c;
        }

        /**
         * Inserts a row with every mapped type; every third row has NULL in every nullable column.
         */
        long insert() throws SQLException {
            int i = next++;
            String name = "item-" + i;
            try (PreparedStatement p =
                    c.prepareStatement(dialect.insert(), Statement.RETURN_GENERATED_KEYS)) {
                p.setString(1, name);
                boolean nulls = i % 3 == 2;
                if (nulls) {
                    for (int column = 2; column <= 12; column++) {
                        p.setNull(column, Types.NULL);
                    }
                    p.setInt(2, i);
                } else {
                    p.setInt(2, i);
                    p.setShort(3, (short) (i % 100 - 50));
                    p.setBigDecimal(4, BigDecimal.valueOf(i * 125L, 2));
                    p.setDouble(5, i / 3.0);
                    p.setBoolean(6, i % 2 == 0);
                    p.setObject(7, LocalDate.of(2024, 2, 28).plusDays(i));
                    p.setObject(
                            8,
                            LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_000).plusMinutes(i));
                    p.setObject(
                            9,
                            OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 500_000_000, ZoneOffset.UTC)
                                    .plusHours(i));
                    p.setBytes(10, new byte[] {(byte) i, 0, 1, -1});
                    p.setString(
                            11,
                            UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8))
                                    .toString());
                    p.setString(12, "{\"n\": " + i + ", \"tags\": [\"a\", \"Grüße\"]}");
                }
                p.executeUpdate();
                try (ResultSet keys = p.getGeneratedKeys()) {
                    keys.next();
                    long id = keys.getLong(1);
                    record(id, "c:" + name + ":" + i);
                    return id;
                }
            }
        }

        void update(long id, String name, int qty) throws SQLException {
            try (PreparedStatement p = c.prepareStatement(dialect.update())) {
                p.setString(1, name);
                p.setInt(2, qty);
                p.setLong(3, id);
                if (p.executeUpdate() != 1) {
                    throw new IllegalStateException("no row " + id + " to update");
                }
            }
            record(id, "u:" + name + ":" + qty);
        }

        void delete(long id) throws SQLException {
            try (Statement s = c.createStatement()) {
                if (s.executeUpdate("DELETE FROM " + Dialect.TABLE + " WHERE id = " + id) != 1) {
                    throw new IllegalStateException("no row " + id + " to delete");
                }
            }
            record(id, "d");
        }

        private void record(long id, String change) {
            pending.add(Map.entry(id, change));
        }

        void commit() throws SQLException {
            c.commit();
            c.setAutoCommit(true);
            for (Map.Entry<Long, String> change : pending) {
                expected.computeIfAbsent(change.getKey(), id -> new ArrayList<>())
                        .add(change.getValue());
            }
        }

        void rollback() throws SQLException {
            c.rollback();
            c.setAutoCommit(true);
            for (Map.Entry<Long, String> change : pending) {
                if (change.getValue().startsWith("c:")) {
                    rolledBack.add(change.getKey());
                }
            }
        }
    }
}
