package dev.changeflow.cli.verify;

import dev.changeflow.cli.verify.Result.ColumnDifference;
import dev.changeflow.cli.verify.Result.Difference;
import dev.changeflow.cli.verify.Result.Kind;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Compares a table with what a sink holds, by primary-key range, the way data-diff and
 * pt-table-checksum do: the database is read a range at a time in key order and each range is
 * summed (row count and the sum of the rows' digests) while the sink is folded into the store; then
 * only a range whose count or checksum differ from the store's is read again and compared row by
 * row (a merge of the two sorted sides), which names each missing, extra or different row and the
 * columns that differ. Memory holds one range.
 *
 * <p>Rows still in flight: a row that differs is read again from both sides until the sink has
 * caught up or the catch-up time has passed. A row that changed in the database meanwhile and still
 * differs is too recent to judge; one that never changed is a difference.
 */
final class Reconciler {

    /** The database side, read by key range and by key. */
    interface Rows {
        /**
         * The rows with {@code after < key <= upTo} in key order, at most {@code limit} of them; a
         * null bound is open, a limit of 0 none.
         */
        List<Database.Row> range(TableShape table, List<Object> after, List<Object> upTo, int limit)
                throws Exception;

        /** The rows now under {@code keys} (keys of deleted rows are absent). */
        List<Database.Row> rowsAt(TableShape table, List<List<Object>> keys) throws Exception;
    }

    /** Reports rows compared so far. */
    interface Progress {
        void compared(TableShape table, SinkSide sink, long rows);

        Progress NONE = (table, sink, rows) -> {};
    }

    /**
     * @param rangeRows rows per compared range
     * @param listed differing rows listed per table and sink
     * @param rechecked differing rows read again while waiting for in-flight changes
     * @param catchUp how long to wait for a sink to catch up with differing rows
     * @param ignored per table (by name or qualified name), columns not compared
     */
    record Settings(
            int rangeRows,
            int listed,
            int rechecked,
            Duration catchUp,
            Map<String, java.util.Set<String>> ignored) {

        Settings(int rangeRows, int listed, int rechecked, Duration catchUp) {
            this(rangeRows, listed, rechecked, catchUp, Map.of());
        }

        java.util.Set<String> ignored(TableShape table) {
            java.util.Set<String> columns = table.in(ignored);
            return columns == null ? java.util.Set.of() : columns;
        }
    }

    private static final Comparator<byte[]> BY_KEY = SortKeys::compare;

    private final Rows database;
    private final Settings settings;
    private final Progress progress;

    Reconciler(Rows database, Settings settings, Progress progress) {
        this.database = database;
        this.settings = settings;
        this.progress = progress;
    }

    /**
     * Verifies {@code table} against {@code sink}, folding the sink into {@code store}. First both
     * sides at once: the sink is folded into the store while the table is summed range by range;
     * then each range's count and checksum are compared with the store's, and only a range that
     * differs is read again, row by row.
     */
    Result verify(TableShape table, SinkSide sink, SortedStore store) throws Exception {
        Projection projection = sink.projection(table).without(settings.ignored(table));
        ExecutorService loader =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread thread = new Thread(r, "verify-load-" + sink.name());
                            thread.setDaemon(true);
                            return thread;
                        });
        List<RangeSum> ranges;
        try {
            Future<?> loaded =
                    loader.submit(
                            () -> {
                                sink.load(table, projection, store);
                                return null;
                            });
            ranges = sumRanges(table, sink, projection);
            try {
                loaded.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
            }
        } finally {
            loader.shutdownNow();
        }
        Tally tally = new Tally(table);
        long databaseRows = 0;
        long sinkRows = 0;
        RangeSum previous = null;
        for (RangeSum range : ranges) {
            byte[] lower = previous == null ? null : previous.upper();
            SortedStore.Checksum held = store.checksum(lower, range.upper());
            databaseRows += range.count();
            sinkRows += held.count();
            if (held.count() != range.count() || held.sum() != range.sum()) {
                TreeMap<byte[], Projected> rows = new TreeMap<>(BY_KEY);
                for (Database.Row row :
                        database.range(
                                table,
                                previous == null ? null : previous.upperKey(),
                                range.upperKey(),
                                0)) {
                    rows.put(
                            row.sortKey(),
                            new Projected(row.key(), projection.ofDatabase(row.values())));
                }
                compareRows(rows, store.range(lower, range.upper()), tally);
            }
            previous = range;
        }
        long caughtUp = recheck(table, sink, projection, store, tally);
        return tally.result(sink, projection, databaseRows, sinkRows, caughtUp);
    }

    /**
     * A range of keys of the table: above the previous range's upper key, up to {@code upperKey}
     * (null: no bound, the last range), with its row count and the sum of its rows' digests.
     */
    private record RangeSum(List<Object> upperKey, byte[] upper, long count, long sum) {}

    private List<RangeSum> sumRanges(TableShape table, SinkSide sink, Projection projection)
            throws Exception {
        List<RangeSum> ranges = new ArrayList<>();
        long rows = 0;
        List<Object> after = null;
        while (true) {
            List<Database.Row> range = database.range(table, after, null, settings.rangeRows());
            long sum = 0;
            for (Database.Row row : range) {
                sum += Canonical.digest(projection.ofDatabase(row.values()));
            }
            rows += range.size();
            progress.compared(table, sink, rows);
            if (range.size() < settings.rangeRows()) {
                ranges.add(new RangeSum(null, null, range.size(), sum));
                return ranges;
            }
            Database.Row last = range.get(range.size() - 1);
            ranges.add(new RangeSum(last.key(), last.sortKey(), range.size(), sum));
            after = last.key();
        }
    }

    private void compareRows(
            TreeMap<byte[], Projected> databaseRows,
            Iterator<Map.Entry<byte[], SortedStore.StoredRow>> sinkRows,
            Tally tally) {
        Iterator<Map.Entry<byte[], Projected>> db = databaseRows.entrySet().iterator();
        Map.Entry<byte[], Projected> d = db.hasNext() ? db.next() : null;
        Map.Entry<byte[], SortedStore.StoredRow> s = sinkRows.hasNext() ? sinkRows.next() : null;
        while (d != null || s != null) {
            int order = d == null ? 1 : s == null ? -1 : SortKeys.compare(d.getKey(), s.getKey());
            if (order < 0) {
                tally.found(d.getKey(), d.getValue().key(), d.getValue().columns(), null);
                d = db.hasNext() ? db.next() : null;
            } else if (order > 0) {
                tally.found(s.getKey(), SortKeys.parts(s.getKey()), null, s.getValue().columns());
                s = sinkRows.hasNext() ? sinkRows.next() : null;
            } else {
                if (!d.getValue().columns().equals(s.getValue().columns())) {
                    tally.found(
                            d.getKey(),
                            d.getValue().key(),
                            d.getValue().columns(),
                            s.getValue().columns());
                }
                d = db.hasNext() ? db.next() : null;
                s = sinkRows.hasNext() ? sinkRows.next() : null;
            }
        }
    }

    /**
     * Reads differing rows again until they match or the catch-up time passes; returns the matched.
     */
    private long recheck(
            TableShape table, SinkSide sink, Projection projection, SortedStore store, Tally tally)
            throws Exception {
        long caughtUp = 0;
        long deadline = System.nanoTime() + settings.catchUp().toNanos();
        while (!tally.pending.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(Math.min(1000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            List<List<Object>> keys = new ArrayList<>();
            tally.pending.values().forEach(p -> keys.add(p.key));
            sink.refresh(table, projection, store, keys);
            Map<String, Map<String, String>> now = new HashMap<>();
            for (Database.Row row : database.rowsAt(table, keys)) {
                now.put(hex(row.sortKey()), projection.ofDatabase(row.values()));
            }
            for (Iterator<Map.Entry<byte[], Pending>> it = tally.pending.entrySet().iterator();
                    it.hasNext(); ) {
                Map.Entry<byte[], Pending> entry = it.next();
                Map<String, String> databaseNow = now.get(hex(entry.getKey()));
                SortedStore.StoredRow stored = store.get(entry.getKey());
                Map<String, String> sinkNow =
                        stored == null || stored.deleted() ? null : stored.columns();
                if (Objects.equals(databaseNow, sinkNow)) {
                    it.remove();
                    caughtUp++;
                } else {
                    Pending p = entry.getValue();
                    p.changed |= !Objects.equals(databaseNow, p.databaseFirst);
                    p.database = databaseNow;
                    p.sink = sinkNow;
                }
            }
        }
        return caughtUp;
    }

    private static String hex(byte[] key) {
        return java.util.HexFormat.of().formatHex(key);
    }

    private record Projected(List<Object> key, Map<String, String> columns) {}

    /** A differing row, as first seen and as last read. */
    private static final class Pending {
        final List<Object> key;
        final Map<String, String> databaseFirst;
        Map<String, String> database;
        Map<String, String> sink;
        boolean changed;

        Pending(List<Object> key, Map<String, String> database, Map<String, String> sink) {
            this.key = key;
            this.databaseFirst = database;
            this.database = database;
            this.sink = sink;
        }

        Kind kind() {
            return database == null ? Kind.EXTRA : sink == null ? Kind.MISSING : Kind.DIFFERENT;
        }
    }

    /** The differences found: the first ones kept for rechecks and listing, the rest counted. */
    private final class Tally {
        final TableShape table;
        final TreeMap<byte[], Pending> pending = new TreeMap<>(BY_KEY);
        final Map<Kind, Long> uncheckedByKind = new EnumMap<>(Kind.class);

        Tally(TableShape table) {
            this.table = table;
        }

        void found(
                byte[] sortKey,
                List<Object> key,
                Map<String, String> database,
                Map<String, String> sink) {
            Pending p = new Pending(key, database, sink);
            if (pending.size() < settings.rechecked()) {
                pending.put(sortKey, p);
            } else {
                uncheckedByKind.merge(p.kind(), 1L, Long::sum);
            }
        }

        Result result(
                SinkSide sink,
                Projection projection,
                long databaseRows,
                long sinkRows,
                long caughtUp) {
            Map<Kind, Long> counts = new EnumMap<>(uncheckedByKind);
            long tooRecent = 0;
            List<Difference> listed = new ArrayList<>();
            for (Pending p : pending.values()) {
                if (p.changed) {
                    tooRecent++;
                } else {
                    counts.merge(p.kind(), 1L, Long::sum);
                }
                if (listed.size() < settings.listed()) {
                    listed.add(difference(projection, p));
                }
            }
            return new Result(
                    table.qualified(),
                    sink.name(),
                    sink.target(table),
                    projection.columns(),
                    databaseRows,
                    sinkRows,
                    counts.getOrDefault(Kind.MISSING, 0L),
                    counts.getOrDefault(Kind.EXTRA, 0L),
                    counts.getOrDefault(Kind.DIFFERENT, 0L),
                    tooRecent,
                    caughtUp,
                    sink.unreadable(table),
                    listed);
        }

        private Difference difference(Projection projection, Pending p) {
            Map<String, Object> key = new LinkedHashMap<>();
            for (int i = 0; i < table.key().size(); i++) {
                key.put(table.key().get(i), p.key.get(i));
            }
            List<ColumnDifference> columns = new ArrayList<>();
            if (p.kind() == Kind.DIFFERENT) {
                for (String column : projection.columns()) {
                    String database = p.database.get(column);
                    String sink = p.sink.get(column);
                    if (!Objects.equals(database, sink)) {
                        columns.add(new ColumnDifference(column, database, sink));
                    }
                }
            }
            return new Difference(p.kind(), key, columns, p.changed);
        }
    }
}
