package dev.changeflow.cdc.query;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.log.FailOnce;
import dev.changeflow.cdc.log.RunningJob;
import dev.changeflow.cdc.query.config.QueryDialect;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.PostgresServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ColumnValues;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.JsonText;
import dev.changeflow.schemas.Op;
import dev.changeflow.schemas.Positions;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Either;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.changeflow.cdc.query.QueryItSupport.exec;
import static dev.changeflow.cdc.query.QueryItSupport.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link QuerySource} against the local stack's real PostgreSQL on a Flink MiniCluster: snapshot,
 * c/u inference, soft and scanned deletes, the commit-safe horizon against a long transaction and a
 * rollback, restore from a savepoint, the TYPES.md encodings and the preflight.
 */
@LocalStackTest(services = Service.POSTGRES)
class QuerySourcePostgresIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QUIET = Duration.ofSeconds(2);

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = RunningJob.miniCluster();

    static QuerySource.Builder source(PostgresServer pg, String tables) {
        return QuerySource.builder()
                .dialect(QueryDialect.POSTGRES)
                .hostname(pg.host())
                .port(pg.port())
                .database(pg.database())
                .username(pg.user())
                .password(pg.password())
                .tables(tables)
                .pollInterval(Duration.ofMillis(100))
                .horizonMargin(Duration.ofMillis(50))
                .batchSize(2);
    }

    /** A timestamp-polled table whose updated_at a trigger sets to now() on every update. */
    private static void customers(Connection c, String table) throws Exception {
        exec(
                c,
                "DROP TABLE IF EXISTS public." + table,
                "CREATE TABLE public."
                        + table
                        + " (id bigint PRIMARY KEY, name text, qty int, deleted boolean NOT NULL"
                        + " DEFAULT false, created_at timestamptz NOT NULL DEFAULT now(),"
                        + " updated_at timestamptz NOT NULL DEFAULT now())",
                "CREATE INDEX ON public." + table + " (updated_at, id)",
                "CREATE OR REPLACE FUNCTION it_touch() RETURNS trigger LANGUAGE plpgsql AS"
                        + " $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$",
                "CREATE TRIGGER touch BEFORE UPDATE ON public."
                        + table
                        + " FOR EACH ROW EXECUTE FUNCTION it_touch()");
    }

    @Test
    void snapshotThenCreatesUpdatesSoftAndScannedDeletes(PostgresServer pg) throws Exception {
        try (Connection c = pg.connect()) {
            customers(c, "q_crud");
            // written a minute ago: well below the start horizon, so read by the snapshot only (a
            // row written within the horizon margin of the start comes again as a change)
            exec(
                    c,
                    "INSERT INTO public.q_crud (id, name, qty, created_at, updated_at)"
                            + " SELECT id, name, qty, t, t FROM (VALUES (1, 'a', 1), (2, 'b', 2),"
                            + " (3, 'c', 3)) v(id, name, qty), (SELECT now() - interval '1 minute'"
                            + " AS t) m");
        }
        try (RunningJob job =
                RunningJob.start(
                        source(pg, "public.q_crud:timestamp=updated_at,id")
                                .softDeleteColumn("deleted")
                                .createdColumn("created_at")
                                .deleteScanInterval(Duration.ofMillis(300))
                                .build())) {
            List<ChangeEvent> snapshot = job.take(3, TIMEOUT);
            assertThat(snapshot).extracting(ChangeEvent::op).containsOnly(Op.READ);
            assertThat(ids(snapshot)).containsExactly(1L, 2L, 3L);
            assertThat(snapshot)
                    .allSatisfy(
                            e -> {
                                assertThat(e.source().connector()).isEqualTo(Connector.QUERY);
                                assertThat(e.source().db()).isEqualTo(pg.database());
                                assertThat(e.source().schema()).isEqualTo("public");
                                assertThat(e.source().table()).isEqualTo("q_crud");
                                assertThat(e.source().snapshot()).isTrue();
                            });

            try (Connection c = pg.connect()) {
                exec(c, "INSERT INTO public.q_crud (id, name, qty) VALUES (4, 'd', 4)");
                exec(c, "UPDATE public.q_crud SET qty = 10 WHERE id = 1");
                exec(c, "UPDATE public.q_crud SET deleted = true WHERE id = 2");
            }
            List<ChangeEvent> changes = job.take(3, TIMEOUT);
            assertThat(changes)
                    .extracting(ChangeEvent::op)
                    .containsExactly(Op.CREATE, Op.UPDATE, Op.DELETE);
            assertThat(ids(changes)).containsExactly(4L, 1L, 2L);
            assertThat(changes.get(1).before()).isNull();
            assertThat(changes.get(1).awaitsBeforeImage()).isTrue();
            assertThat(changes.get(1).after()).containsEntry("qty", 10L);
            assertThat(changes.get(2).before()).containsEntry("deleted", true);
            assertThat(changes)
                    .extracting(e -> e.source().position())
                    .isSortedAccordingTo(String::compareTo);

            try (Connection c = pg.connect()) {
                exec(c, "DELETE FROM public.q_crud WHERE id = 3");
            }
            ChangeEvent scanned = job.take(1, TIMEOUT).get(0);
            assertThat(scanned.op()).isEqualTo(Op.DELETE);
            assertThat(scanned.before()).isEqualTo(Map.of("id", 3L));
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }

    @Test
    void longTransactionIsNotMissedAndRollbackEmitsNothing(PostgresServer pg) throws Exception {
        try (Connection c = pg.connect()) {
            customers(c, "q_long_ts");
            exec(
                    c,
                    "DROP TABLE IF EXISTS public.q_long_inc",
                    "CREATE TABLE public.q_long_inc (id bigserial PRIMARY KEY, name text)");
        }
        String tables =
                "public.q_long_ts:timestamp=updated_at,id;public.q_long_inc:incrementing=id";
        try (RunningJob job =
                        RunningJob.start(source(pg, tables).createdColumn("created_at").build());
                Connection longTx = pg.connect();
                Connection other = pg.connect();
                Connection rolledBack = pg.connect()) {
            // the source is running once it has seen a row of each (by snapshot or poll)
            exec(
                    other,
                    "INSERT INTO public.q_long_ts (id, name) VALUES (0, 'sentinel')",
                    "INSERT INTO public.q_long_inc (name) VALUES ('sentinel')");
            assertThat(ids(job.take(2, TIMEOUT))).hasSize(2);
            // a sentinel the snapshot read may come once more as a 'c' (documented overlap)
            assertThat(job.extra(QUIET))
                    .allSatisfy(e -> assertThat(e.after().get("name")).isEqualTo("sentinel"));
            // the long transaction starts first: earliest now(), lowest id
            longTx.setAutoCommit(false);
            exec(
                    longTx,
                    "INSERT INTO public.q_long_ts (id, name) VALUES (1, 'long')",
                    "INSERT INTO public.q_long_inc (name) VALUES ('long')");
            exec(
                    other,
                    "INSERT INTO public.q_long_ts (id, name) VALUES (2, 'later')",
                    "INSERT INTO public.q_long_inc (name) VALUES ('later')");
            rolledBack.setAutoCommit(false);
            exec(
                    rolledBack,
                    "INSERT INTO public.q_long_ts (id, name) VALUES (3, 'rolled back')",
                    "INSERT INTO public.q_long_inc (name) VALUES ('rolled back')");
            rolledBack.rollback();
            // the committed later rows are past the horizon while the long transaction is open
            assertThat(job.extra(QUIET)).isEmpty();

            longTx.commit();
            List<ChangeEvent> events = job.take(4, TIMEOUT);
            assertThat(events).extracting(ChangeEvent::op).containsOnly(Op.CREATE);
            List<ChangeEvent> ts =
                    events.stream().filter(e -> e.source().table().equals("q_long_ts")).toList();
            List<ChangeEvent> inc =
                    events.stream().filter(e -> e.source().table().equals("q_long_inc")).toList();
            assertThat(ids(ts)).containsExactly(1L, 2L);
            assertThat(inc).extracting(e -> e.after().get("name")).containsExactly("long", "later");
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }

    @Test
    void restoreFromSavepointLosesNothingAndStartsAnAddedTable(
            PostgresServer pg, @TempDir Path savepoints) throws Exception {
        try (Connection c = pg.connect()) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS public.q_restore",
                    "CREATE TABLE public.q_restore (id bigserial PRIMARY KEY, name text)",
                    "INSERT INTO public.q_restore (name) SELECT 'r' || g FROM generate_series(1, 5) g");
        }
        QuerySource.Builder builder = source(pg, "public.q_restore:incrementing=id");
        List<ChangeEvent> first;
        String savepoint;
        try (RunningJob job = RunningJob.start(builder.build())) {
            first = job.take(5, TIMEOUT);
            try (Connection c = pg.connect()) {
                exec(c, "INSERT INTO public.q_restore (name) VALUES ('c6'), ('c7')");
            }
            first = new java.util.ArrayList<>(first);
            first.addAll(job.take(2, TIMEOUT));
            savepoint = job.stopWithSavepoint(savepoints);
            first.addAll(job.available());
        }
        try (Connection c = pg.connect()) {
            exec(
                    c,
                    "INSERT INTO public.q_restore (name) VALUES ('c8'), ('c9'), ('c10')",
                    "DROP TABLE IF EXISTS public.q_restore_added",
                    "CREATE TABLE public.q_restore_added (id bigserial PRIMARY KEY, name text)",
                    "INSERT INTO public.q_restore_added (name) VALUES ('a1'), ('a2')");
        }
        // restored with one more table: that one is snapshotted and then polled, the other
        // resumes from its position
        QuerySource.Builder more =
                source(
                        pg,
                        "public.q_restore:incrementing=id;public.q_restore_added:incrementing=id");
        try (RunningJob job = RunningJob.startFromSavepoint(more.build(), savepoint)) {
            List<ChangeEvent> second = job.take(5, TIMEOUT);
            assertThat(second)
                    .extracting(
                            e -> e.source().table() + ":" + e.op().code() + ":" + e.row().get("id"))
                    .containsExactlyInAnyOrder(
                            "q_restore:c:8",
                            "q_restore:c:9",
                            "q_restore:c:10",
                            "q_restore_added:r:1",
                            "q_restore_added:r:2");
            try (Connection c = pg.connect()) {
                exec(c, "INSERT INTO public.q_restore_added (name) VALUES ('a3')");
            }
            assertThat(job.take(1, TIMEOUT))
                    .extracting(
                            e -> e.source().table() + ":" + e.op().code() + ":" + e.row().get("id"))
                    .containsExactly("q_restore_added:c:3");
            assertThat(job.extra(QUIET)).isEmpty();
        }
        assertThat(ids(first)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    }

    @Test
    void failureWhilePollingRestartsFromTheCheckpointWithEveryChangeOnce(PostgresServer pg)
            throws Exception {
        try (Connection c = pg.connect()) {
            customers(c, "q_failover");
            // written long before the start: the snapshot reads them, the stream does not
            exec(
                    c,
                    "INSERT INTO public.q_failover (id, name, qty, created_at, updated_at)"
                            + " SELECT g, 'n', g, now() - interval '1 hour',"
                            + " now() - interval '1 hour' FROM generate_series(1, 3) g");
        }
        FailOnce.FAILED.set(false);
        try (RunningJob job =
                RunningJob.start(
                        source(pg, "public.q_failover:timestamp=updated_at,id")
                                .createdColumn("created_at")
                                .build(),
                        s -> s.map(new FailOnce(8)),
                        1,
                        1)) {
            assertThat(job.take(3, TIMEOUT)).extracting(ChangeEvent::op).containsOnly(Op.READ);
            try (Connection c = pg.connect()) {
                // the map fails at id 8: write up to it, let the job fail and restart, then more
                for (int id = 4; id <= 8; id++) {
                    exec(
                            c,
                            "INSERT INTO public.q_failover (id, name, qty) VALUES ("
                                    + id
                                    + ", 'n', "
                                    + id
                                    + ")");
                }
                await("injected failure").atMost(TIMEOUT).untilTrue(FailOnce.FAILED);
                exec(c, "UPDATE public.q_failover SET qty = qty + 100 WHERE id <= 3");
                exec(c, "INSERT INTO public.q_failover (id, name, qty) VALUES (9, 'n', 9)");
            }
            List<ChangeEvent> changes = job.take(9, TIMEOUT);
            assertThat(ids(changes)).containsExactly(4L, 5L, 6L, 7L, 8L, 1L, 2L, 3L, 9L);
            assertThat(changes)
                    .extracting(ChangeEvent::op)
                    .containsExactly(
                            Op.CREATE, Op.CREATE, Op.CREATE, Op.CREATE, Op.CREATE, Op.UPDATE,
                            Op.UPDATE, Op.UPDATE, Op.CREATE);
            assertThat(changes.get(5).after()).containsEntry("qty", 101L);
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }

    @Test
    void everyTypeEncodesAsTypesMdSays(PostgresServer pg) throws Exception {
        try (Connection c = pg.connect()) {
            exec(
                    c,
                    "CREATE EXTENSION IF NOT EXISTS hstore",
                    "DROP TABLE IF EXISTS public.q_types",
                    "CREATE TABLE public.q_types (id bigserial PRIMARY KEY, c_numeric"
                            + " numeric(12,3), c_int int, c_bigint bigint, c_bool boolean, c_text"
                            + " text, c_date date, c_time time, c_ts timestamp(6), c_tstz"
                            + " timestamptz, c_json json, c_jsonb jsonb, c_uuid uuid, c_bytea"
                            + " bytea, c_int_arr int[], c_text_arr text[], c_smallint smallint,"
                            + " c_real real, c_double double precision, c_hstore hstore)");
            insertTypes(c);
            exec(c, "INSERT INTO public.q_types DEFAULT VALUES");
        }
        try (RunningJob job =
                RunningJob.start(source(pg, "public.q_types:incrementing=id").build())) {
            List<ChangeEvent> snapshot = job.take(2, TIMEOUT);
            try (Connection c = pg.connect()) {
                insertTypes(c);
            }
            ChangeEvent streamed = job.take(1, TIMEOUT).get(0);
            assertThat(streamed.op()).isEqualTo(Op.CREATE);
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put("id", 1L);
            expected.putAll(valuesA());
            expected.put("c_json", new JsonText("{\"b\": 1,  \"a\": [1, 2]}"));
            // hstore: in PostgreSQL's key order (TYPES.md), whatever order the driver's map has
            Map<String, Object> hstore = new LinkedHashMap<>();
            hstore.put("k", "v");
            hstore.put("x", null);
            hstore.put("zz", "1");
            hstore.put("\u00e4", "2");
            expected.put("c_hstore", hstore);
            try (Connection c = pg.connect();
                    ResultSet rs =
                            c.createStatement()
                                    .executeQuery(
                                            "SELECT c_jsonb FROM public.q_types WHERE id = 1")) {
                rs.next();
                expected.put("c_jsonb", new JsonText(rs.getString(1)));
            }
            assertThat(snapshot.get(0).after())
                    .containsExactlyEntriesOf(ColumnValues.toJsonRow(expected));
            expected.put("id", 3L);
            assertThat(streamed.after()).containsExactlyEntriesOf(ColumnValues.toJsonRow(expected));
            assertThat(snapshot.get(1).after())
                    .containsEntry("id", 2L)
                    .containsEntry("c_tstz", null);
            // the encodings PostgresLogSourceIT pins for the same values
            Map<String, Object> a = streamed.after();
            assertThat(a.get("c_numeric")).isEqualTo(new BigDecimal("-12345.678"));
            assertThat(a.get("c_tstz")).isEqualTo("2024-01-02 01:04:05.123456Z");
            assertThat(a.get("c_ts")).isEqualTo("2024-01-02 03:04:05.123456");
            assertThat(a.get("c_date")).isEqualTo("2024-02-29");
            assertThat(a.get("c_time")).isEqualTo("13:14:15.123456");
            assertThat(a.get("c_bytea")).isEqualTo("AAH/fw==");
            assertThat(a.get("c_int_arr")).isEqualTo(List.of(1L, -2L, 3L));
            assertThat(a.get("c_json")).isEqualTo("{\"b\": 1,  \"a\": [1, 2]}");
            assertThat(a.get("c_uuid")).isEqualTo("123e4567-e89b-12d3-a456-426614174000");
            assertThat(a.get("c_real")).isEqualTo(new BigDecimal("36.6"));
            assertThat(new ArrayList<Object>(((Map<?, ?>) a.get("c_hstore")).keySet()))
                    .containsExactly("k", "x", "zz", "\u00e4");
        }
    }

    private static Map<String, Object> valuesA() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("c_numeric", new BigDecimal("-12345.678"));
        v.put("c_int", -42);
        v.put("c_bigint", 9007199254740993L);
        v.put("c_bool", true);
        v.put("c_text", "h\u00e9llo \"quoted\"\n\ttab");
        v.put("c_date", LocalDate.of(2024, 2, 29));
        v.put("c_time", LocalTime.of(13, 14, 15, 123_456_000));
        v.put("c_ts", LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000));
        v.put("c_tstz", OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000, ZoneOffset.ofHours(2)));
        v.put("c_json", "{\"b\": 1,  \"a\": [1, 2]}");
        v.put("c_jsonb", "{\"b\": 1,  \"a\": [true, null]}");
        v.put("c_uuid", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        v.put("c_bytea", new byte[] {0, 1, -1, 127});
        v.put("c_int_arr", new Integer[] {1, -2, 3});
        v.put("c_text_arr", new String[] {"a", "b c", ""});
        v.put("c_smallint", (short) -7);
        v.put("c_real", 36.6f);
        v.put("c_double", 0.1d);
        Map<String, String> hstore = new LinkedHashMap<>();
        hstore.put("zz", "1");
        hstore.put("k", "v");
        hstore.put("\u00e4", "2");
        hstore.put("x", null);
        v.put("c_hstore", hstore);
        return v;
    }

    private static void insertTypes(Connection c) throws Exception {
        Map<String, Object> values = valuesA();
        String sql =
                "INSERT INTO public.q_types ("
                        + String.join(", ", values.keySet())
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?::jsonb, ?, ?, ?, ?, ?,"
                        + " ?, ?, ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object value : values.values()) {
                if (value instanceof Integer[]) {
                    ps.setArray(i, c.createArrayOf("int4", (Integer[]) value));
                } else if (value instanceof String[]) {
                    ps.setArray(i, c.createArrayOf("text", (String[]) value));
                } else {
                    ps.setObject(i, value);
                }
                i++;
            }
            ps.executeUpdate();
        }
    }

    @Test
    void unsupportedValueBecomesADeadLetterAndReadingGoesOn(PostgresServer pg) throws Exception {
        try (Connection c = pg.connect()) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS public.q_dead",
                    "CREATE TABLE public.q_dead (id bigserial PRIMARY KEY, span interval)",
                    "INSERT INTO public.q_dead (span) VALUES (NULL), ('1 day'), (NULL)");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<Either<DeadLetter, ChangeEvent>> out =
                env.fromSource(
                                source(pg, "public.q_dead:incrementing=id").buildWithDeadLetters(),
                                WatermarkStrategy.noWatermarks(),
                                "query-source")
                        .executeAndCollect("dead-letters", 3);
        assertThat(out.get(0).isRight()).isTrue();
        assertThat(out.get(1).isLeft()).isTrue();
        DeadLetter letter = out.get(1).left();
        assertThat(letter.origin()).isEqualTo("query:" + pg.database() + ".public.q_dead");
        assertThat(letter.position()).isEqualTo(Positions.ofSequence(2));
        assertThat(letter.reason()).contains("span");
        assertThat(letter.job()).isEqualTo("ingest");
        assertThat(out.get(2).right().after()).containsEntry("id", 3L);
    }

    @Test
    void preflightNamesTheProblemAndTheFix(PostgresServer pg) throws Exception {
        try (Connection c = pg.connect()) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS public.q_pre",
                    "CREATE TABLE public.q_pre (id bigint PRIMARY KEY, updated_at timestamptz)",
                    "DROP ROLE IF EXISTS it_q_nostats",
                    "CREATE ROLE it_q_nostats LOGIN PASSWORD 'secret'",
                    "GRANT SELECT ON public.q_pre TO it_q_nostats",
                    "DROP TABLE IF EXISTS public.q_cached",
                    "CREATE TABLE public.q_cached (id bigserial PRIMARY KEY)",
                    "ALTER SEQUENCE public.q_cached_id_seq CACHE 20");
        }
        assertThatThrownBy(() -> source(pg, "public.q_cached:incrementing=id").build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("caches 20 values")
                .hasMessageContaining("ALTER SEQUENCE public.q_cached_id_seq CACHE 1");
        assertThatThrownBy(() -> source(pg, "public.q_pre:timestamp=updated_at").build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("not the leading column of any index")
                .hasMessageContaining("CREATE INDEX ON public.q_pre (updated_at, id)");
        assertThatThrownBy(() -> source(pg, "public.q_pre:timestamp=changed_at").build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("'changed_at'")
                .hasMessageContaining("does not exist in public.q_pre");
        assertThatThrownBy(() -> source(pg, "public.q_pre:incrementing=id").build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("not backed by a sequence");
        assertThatThrownBy(
                        () ->
                                source(pg, "public.q_pre:incrementing=id")
                                        .username("it_q_nostats")
                                        .password("secret")
                                        .build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("GRANT pg_read_all_stats TO it_q_nostats");
    }
}
