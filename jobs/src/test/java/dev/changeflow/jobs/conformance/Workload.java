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
import java.util.HashMap;
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
 * <p>Every row's columns are derived from the index {@code i} of its insert (see {@link #insert});
 * updates change {@code name} and {@code qty}. The workload keeps, per row id and in commit order,
 * each committed {@link Change} with the row {@link Version} before and after it; a transaction's
 * changes are recorded when it commits, never when it rolls back.
 */
final class Workload {

    /** What a row holds, apart from its database-maintained {@code updated_at}. */
    record Version(long id, int i, String name, int qty) {
        Version with(String newName, int newQty) {
            return new Version(id, i, newName, newQty);
        }
    }

    /**
     * One committed change: {@code op} is {@code r}, {@code c}, {@code u} or {@code d}; {@code
     * before} is null for {@code r}/{@code c}, {@code after} null for {@code d}.
     */
    record Change(String op, Version before, Version after) {
        long id() {
            return after != null ? after.id() : before.id();
        }
    }

    private final Dialect dialect;
    private final Map<Long, List<Change>> expected = new TreeMap<>();
    private final Map<Long, Version> rows = new TreeMap<>();
    private final Set<Long> rolledBack = new HashSet<>();
    private int next;

    Workload(Dialect dialect) {
        this.dialect = dialect;
    }

    /** The committed changes per row id, in commit order. */
    Map<Long, List<Change>> expected() {
        return expected;
    }

    /** The committed rows now, by id. */
    Map<Long, Version> rows() {
        return rows;
    }

    /** Ids that were inserted by a transaction that rolled back. */
    Set<Long> rolledBack() {
        return rolledBack;
    }

    /**
     * Rows that exist before capture starts, last changed on 2001-01-01: their snapshot reads are
     * {@code r}, and a record stamped with their source time would be deleted by retention.
     */
    List<Long> seed(Connection c, int rows) throws SQLException {
        try (Statement s = c.createStatement()) {
            dialect.create(s);
        }
        Transaction t = begin(c);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            ids.add(t.insert());
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE " + Dialect.TABLE + " SET updated_at = " + dialect.year2001());
        }
        t.commit();
        for (long id : ids) {
            expected.put(id, new ArrayList<>(List.of(new Change("r", null, this.rows.get(id)))));
        }
        return ids;
    }

    Transaction begin(Connection c) throws SQLException {
        c.setAutoCommit(false);
        return new Transaction(c);
    }

    /** One open transaction; its changes count once it commits. */
    final class Transaction {
        private final Connection c;
        private final List<Change> pending = new ArrayList<>();
        private final Map<Long, Version> touched = new HashMap<>();

        private Transaction(Connection c) {
            this.c = c;
        }

        private Version current(long id) {
            Version v = touched.containsKey(id) ? touched.get(id) : rows.get(id);
            if (v == null) {
                throw new IllegalStateException("no row " + id);
            }
            return v;
        }

        /**
         * Inserts row {@code i} with every mapped type; every third row has NULL in every nullable
         * column but {@code qty}.
         */
        long insert() throws SQLException {
            int i = next++;
            String name = "item-" + i;
            try (PreparedStatement p =
                    c.prepareStatement(dialect.insert(), Statement.RETURN_GENERATED_KEYS)) {
                p.setString(1, name);
                if (hasNulls(i)) {
                    for (int column = 2; column <= 12; column++) {
                        p.setNull(column, Types.NULL);
                    }
                    p.setInt(2, i);
                } else {
                    p.setInt(2, i);
                    p.setShort(3, small(i));
                    p.setBigDecimal(4, price(i));
                    p.setDouble(5, ratio(i));
                    p.setBoolean(6, active(i));
                    p.setObject(7, born(i));
                    p.setObject(8, seenLocal(i));
                    p.setObject(9, seenAt(i));
                    p.setBytes(10, data(i));
                    p.setString(11, ref(i));
                    p.setString(12, doc(i));
                }
                p.executeUpdate();
                try (ResultSet keys = p.getGeneratedKeys()) {
                    keys.next();
                    long id = keys.getLong(1);
                    Version v = new Version(id, i, name, i);
                    touched.put(id, v);
                    pending.add(new Change("c", null, v));
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
            Version before = current(id);
            Version after = before.with(name, qty);
            touched.put(id, after);
            pending.add(new Change("u", before, after));
        }

        void delete(long id) throws SQLException {
            try (Statement s = c.createStatement()) {
                if (s.executeUpdate("DELETE FROM " + Dialect.TABLE + " WHERE id = " + id) != 1) {
                    throw new IllegalStateException("no row " + id + " to delete");
                }
            }
            pending.add(new Change("d", current(id), null));
            touched.put(id, null);
        }

        void commit() throws SQLException {
            c.commit();
            c.setAutoCommit(true);
            touched.forEach(
                    (id, v) -> {
                        if (v == null) {
                            rows.remove(id);
                        } else {
                            rows.put(id, v);
                        }
                    });
            for (Change change : pending) {
                expected.computeIfAbsent(change.id(), id -> new ArrayList<>()).add(change);
            }
        }

        void rollback() throws SQLException {
            c.rollback();
            c.setAutoCommit(true);
            for (Change change : pending) {
                if (change.op().equals("c")) {
                    rolledBack.add(change.id());
                }
            }
        }
    }

    // the values of row i, as the test writes them (the expectation renders them independently)

    static boolean hasNulls(int i) {
        return i % 3 == 2;
    }

    static short small(int i) {
        return (short) (i % 100 - 50);
    }

    static BigDecimal price(int i) {
        return BigDecimal.valueOf(i * 125L, 2);
    }

    static double ratio(int i) {
        return i / 3.0;
    }

    static boolean active(int i) {
        return i % 2 == 0;
    }

    static LocalDate born(int i) {
        return LocalDate.of(2024, 2, 28).plusDays(i);
    }

    static LocalDateTime seenLocal(int i) {
        return LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_000).plusMinutes(i);
    }

    static OffsetDateTime seenAt(int i) {
        return OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 500_000_000, ZoneOffset.UTC).plusHours(i);
    }

    static byte[] data(int i) {
        return new byte[] {(byte) i, 0, 1, -1};
    }

    static String ref(int i) {
        return UUID.nameUUIDFromBytes(("item-" + i).getBytes(StandardCharsets.UTF_8)).toString();
    }

    static String doc(int i) {
        return "{\"n\": " + i + ", \"tags\": [\"a\", \"Grüße\"]}";
    }
}
