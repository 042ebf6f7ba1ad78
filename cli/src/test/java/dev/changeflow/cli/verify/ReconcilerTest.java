package dev.changeflow.cli.verify;

import dev.changeflow.cli.verify.Result.Kind;
import dev.changeflow.cli.verify.TableShape.ColumnKind;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** The range comparison against an in-memory database and sink. */
class ReconcilerTest {

    private static final TableShape TABLE =
            new TableShape(
                    "public.items", "shop", "public", "items", orderedKinds(), List.of("id"));

    @TempDir Path dir;
    private SortedStore store;
    private final FakeDatabase database = new FakeDatabase();
    private final FakeSink sink = new FakeSink();

    @BeforeEach
    void setUp() throws Exception {
        store = new SortedStore(dir);
        for (long id = 1; id <= 10; id++) {
            database.rows.put(id, row(id, "item " + id, new BigDecimal(id + ".50")));
            // the sink holds numbers as text with another scale: still equal
            sink.rows.put(id, row(id, "item " + id, id + ".5"));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        store.close();
    }

    @Test
    void equalSidesVerifyClean() throws Exception {
        Result result = reconciler(3, Duration.ZERO).verify(TABLE, sink, store);
        assertThat(result.ok()).isTrue();
        assertThat(result.databaseRows()).isEqualTo(10);
        assertThat(result.sinkRows()).isEqualTo(10);
        assertThat(result.rows()).isEmpty();
        assertThat(result.columns()).containsExactly("id", "name", "amount");
    }

    @Test
    void namesMissingExtraAndDifferentRowsAcrossRanges() throws Exception {
        sink.rows.remove(4L);
        sink.rows.put(0L, row(0, "before the first", "1"));
        sink.rows.put(11L, row(11, "after the last", "1"));
        sink.rows.put(7L, row(7, "item 7", "7.51"));
        Result result = reconciler(3, Duration.ZERO).verify(TABLE, sink, store);
        assertThat(result.ok()).isFalse();
        assertThat(result.missing()).isEqualTo(1);
        assertThat(result.extra()).isEqualTo(2);
        assertThat(result.different()).isEqualTo(1);
        assertThat(result.rows())
                .extracting(d -> d.kind() + " " + d.key())
                .containsExactly(
                        "EXTRA {id=0}", "MISSING {id=4}", "DIFFERENT {id=7}", "EXTRA {id=11}");
        Result.Difference different = result.rows().get(2);
        assertThat(different.columns())
                .containsExactly(new Result.ColumnDifference("amount", "7.5", "7.51"));
    }

    @Test
    void anEmptyTableMakesEverySinkRowExtra() throws Exception {
        database.rows.clear();
        Result result = reconciler(3, Duration.ZERO).verify(TABLE, sink, store);
        assertThat(result.extra()).isEqualTo(10);
        assertThat(result.databaseRows()).isZero();
    }

    @Test
    void aRowTheSinkCatchesUpWithIsNoDifference() throws Exception {
        sink.rows.remove(5L);
        sink.onRefresh = rows -> rows.put(5L, row(5, "item 5", "5.5"));
        Result result = reconciler(4, Duration.ofSeconds(5)).verify(TABLE, sink, store);
        assertThat(result.ok()).isTrue();
        assertThat(result.caughtUp()).isEqualTo(1);
        assertThat(result.missing()).isZero();
    }

    @Test
    void aRowThatKeepsChangingIsTooRecentNotADifference() throws Exception {
        database.onRead = rows -> rows.put(5L, row(5, "item 5 at " + System.nanoTime(), "5.5"));
        sink.rows.put(5L, row(5, "stale", "5.5"));
        Result result = reconciler(4, Duration.ofMillis(1500)).verify(TABLE, sink, store);
        assertThat(result.different()).isZero();
        assertThat(result.tooRecent()).isEqualTo(1);
        assertThat(result.rows())
                .singleElement()
                .satisfies(d -> assertThat(d.tooRecent()).isTrue());
    }

    @Test
    void aDifferenceThatStaysIsReportedAfterTheWait() throws Exception {
        sink.rows.remove(2L);
        Result result = reconciler(4, Duration.ofMillis(1200)).verify(TABLE, sink, store);
        assertThat(result.missing()).isEqualTo(1);
        assertThat(result.rows())
                .singleElement()
                .satisfies(d -> assertThat(d.kind()).isEqualTo(Kind.MISSING));
    }

    @Test
    void listsTheFirstRowsAndCountsTheRest() throws Exception {
        sink.rows.clear();
        Result result =
                new Reconciler(
                                database,
                                new Reconciler.Settings(4, 2, 10_000, Duration.ZERO),
                                Reconciler.Progress.NONE)
                        .verify(TABLE, sink, store);
        assertThat(result.missing()).isEqualTo(10);
        assertThat(result.rows()).hasSize(2);
    }

    private Reconciler reconciler(int rangeRows, Duration catchUp) {
        return new Reconciler(
                database,
                new Reconciler.Settings(rangeRows, 100, 10_000, catchUp),
                Reconciler.Progress.NONE);
    }

    private static Map<String, ColumnKind> orderedKinds() {
        Map<String, ColumnKind> kinds = new LinkedHashMap<>();
        kinds.put("id", ColumnKind.NUMBER);
        kinds.put("name", ColumnKind.TEXT);
        kinds.put("amount", ColumnKind.NUMBER);
        return kinds;
    }

    private static Map<String, Object> row(long id, String name, Object amount) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("name", name);
        row.put("amount", amount);
        return row;
    }

    /** Rows by id, read in key order. */
    private static final class FakeDatabase implements Reconciler.Rows {
        final TreeMap<Long, Map<String, Object>> rows = new TreeMap<>();
        Consumer<TreeMap<Long, Map<String, Object>>> onRead = rows -> {};

        @Override
        public List<Database.Row> range(
                TableShape table, List<Object> after, List<Object> upTo, int limit) {
            List<Database.Row> range = new ArrayList<>();
            for (var row : rows.entrySet()) {
                boolean above = after == null || row.getKey() > (Long) after.get(0);
                boolean below = upTo == null || row.getKey() <= (Long) upTo.get(0);
                if (above && below) {
                    if (limit > 0 && range.size() == limit) {
                        break;
                    }
                    range.add(row(row.getKey(), row.getValue()));
                }
            }
            return range;
        }

        @Override
        public List<Database.Row> rowsAt(TableShape table, List<List<Object>> keys) {
            onRead.accept(rows);
            List<Database.Row> found = new ArrayList<>();
            for (List<Object> key : keys) {
                Map<String, Object> row = rows.get((Long) key.get(0));
                if (row != null) {
                    found.add(row((Long) key.get(0), row));
                }
            }
            return found;
        }

        private static Database.Row row(long id, Map<String, Object> values) {
            return new Database.Row(List.of(id), SortKeys.of(List.of(id)), values);
        }
    }

    /** A sink holding rows by id; a refresh applies {@code onRefresh} and loads again. */
    private static final class FakeSink implements SinkSide {
        final TreeMap<Long, Map<String, Object>> rows = new TreeMap<>();
        Consumer<TreeMap<Long, Map<String, Object>>> onRefresh = rows -> {};

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public String target(TableShape table) {
            return "memory";
        }

        @Override
        public Projection projection(TableShape table) {
            return Projection.wholeRow(table);
        }

        @Override
        public void load(TableShape table, Projection projection, SortedStore store) {
            for (var row : rows.entrySet()) {
                store.put(
                        SortKeys.of(List.of(row.getKey())),
                        new SortedStore.StoredRow(null, false, projection.ofSink(row.getValue())));
            }
        }

        @Override
        public void refresh(
                TableShape table,
                Projection projection,
                SortedStore store,
                List<List<Object>> keys) {
            onRefresh.accept(rows);
            for (List<Object> key : keys) {
                Map<String, Object> row = rows.get((Long) key.get(0));
                store.put(
                        SortKeys.of(key),
                        row == null
                                ? new SortedStore.StoredRow(null, true, Map.of())
                                : new SortedStore.StoredRow(null, false, projection.ofSink(row)));
            }
        }
    }
}
