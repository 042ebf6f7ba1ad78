package dev.changeflow.cdc.log.postgres;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.log.FailOnce;
import dev.changeflow.cdc.log.RunningJob;
import dev.changeflow.cdc.log.postgres.config.ReplicaIdentityMode;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.PostgresServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ColumnValues;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.JsonText;
import dev.changeflow.schemas.Op;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.changeflow.cdc.log.postgres.PostgresItSupport.exec;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.props;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.resetSlot;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link PostgresLogSource} against the local stack's real PostgreSQL 15 ({@code pgoutput}) on a
 * Flink MiniCluster. Each test uses its own tables, slot and publication.
 */
@LocalStackTest(services = Service.POSTGRES)
class PostgresLogSourceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Duration QUIET = Duration.ofSeconds(3);

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = RunningJob.miniCluster();

    @Test
    void snapshotThenInsertUpdateDeleteInOrder(PostgresServer postgres) throws Exception {
        String slot = "it_crud_slot";
        try (Connection c = postgres.connect()) {
            resetSlot(c, slot);
            exec(
                    c,
                    "DROP TABLE IF EXISTS public.it_crud",
                    "CREATE TABLE public.it_crud (id int PRIMARY KEY, name text, qty int)",
                    "ALTER TABLE public.it_crud REPLICA IDENTITY FULL",
                    "INSERT INTO public.it_crud VALUES (1, 'one', 10), (2, 'two', 20),"
                            + " (3, 'three', 30)");
        }

        try (RunningJob job = RunningJob.start(source(postgres, "public.it_crud", slot).build())) {
            List<ChangeEvent> snapshot = job.take(3, TIMEOUT);
            assertThat(snapshot).allSatisfy(e -> assertThat(e.op()).isEqualTo(Op.READ));
            assertThat(snapshot)
                    .extracting(ChangeEvent::after)
                    .containsExactlyInAnyOrder(
                            row(1, "one", 10), row(2, "two", 20), row(3, "three", 30));
            assertThat(snapshot)
                    .allSatisfy(
                            e -> {
                                assertThat(e.before()).isNull();
                                assertThat(e.source().connector()).isEqualTo(Connector.LOG);
                                assertThat(e.source().db()).isEqualTo(postgres.database());
                                assertThat(e.source().schema()).isEqualTo("public");
                                assertThat(e.source().table()).isEqualTo("it_crud");
                                assertThat(e.source().snapshot()).isTrue();
                            });

            try (Connection c = postgres.connect()) {
                exec(
                        c,
                        "INSERT INTO public.it_crud VALUES (4, 'four', 40)",
                        "UPDATE public.it_crud SET qty = 41 WHERE id = 4",
                        "UPDATE public.it_crud SET name = 'TWO' WHERE id = 2",
                        "DELETE FROM public.it_crud WHERE id = 3",
                        "DELETE FROM public.it_crud WHERE id = 4");
            }
            List<ChangeEvent> changes = job.take(5, TIMEOUT);
            assertThat(changes)
                    .extracting(ChangeEvent::op, ChangeEvent::before, ChangeEvent::after)
                    .containsExactly(
                            tuple(Op.CREATE, null, row(4, "four", 40)),
                            tuple(Op.UPDATE, row(4, "four", 40), row(4, "four", 41)),
                            tuple(Op.UPDATE, row(2, "two", 20), row(2, "TWO", 20)),
                            tuple(Op.DELETE, row(3, "three", 30), null),
                            tuple(Op.DELETE, row(4, "four", 41), null));
            List<String> positions = new ArrayList<>();
            for (ChangeEvent e : changes) {
                assertThat(e.source().snapshot()).isFalse();
                assertThat(e.source().txId()).isNotNull();
                assertThat(e.source().position()).matches("[0-9A-F]{8}/[0-9A-F]{8}");
                assertThat(e.source().position())
                        .isGreaterThan(snapshot.get(0).source().position());
                positions.add(e.source().position());
            }
            assertThat(positions).isSorted().doesNotHaveDuplicates();
            assertThat(job.extra(QUIET)).isEmpty();
        } finally {
            try (Connection c = postgres.connect()) {
                resetSlot(c, slot);
            }
        }
    }

    @Test
    void everyTypeOfTheMappingEncodesLikeColumnValues(PostgresServer postgres) throws Exception {
        String slot = "it_types_slot";
        try (Connection c = postgres.connect()) {
            resetSlot(c, slot);
            exec(
                    c,
                    "DROP TABLE IF EXISTS public.it_types",
                    "CREATE TABLE public.it_types (id int PRIMARY KEY, c_numeric numeric(12,3),"
                            + " c_int int, c_bigint bigint, c_bool boolean, c_text text,"
                            + " c_varchar varchar(20), c_date date, c_time time,"
                            + " c_ts timestamp(6), c_tstz timestamptz, c_json json,"
                            + " c_jsonb jsonb, c_uuid uuid, c_bytea bytea, c_int_arr int[],"
                            + " c_text_arr text[])");
            insertTypes(c, 1, valuesA());
            insertTypes(c, 2, nulls());
        }

        try (RunningJob job =
                RunningJob.start(
                        source(postgres, "public.it_types", slot)
                                .replicaIdentityMode(ReplicaIdentityMode.AUTO)
                                .build())) {
            List<ChangeEvent> snapshot = job.take(2, TIMEOUT);
            try (Connection c = postgres.connect()) {
                insertTypes(c, 3, valuesA());
                insertTypes(c, 4, nulls());
                insertTypes(c, 5, valuesB());
            }
            List<ChangeEvent> stream = job.take(3, TIMEOUT);

            Map<Integer, ChangeEvent> byId = new LinkedHashMap<>();
            for (ChangeEvent e : snapshot) {
                assertThat(e.op()).isEqualTo(Op.READ);
                byId.put(((Long) e.after().get("id")).intValue(), e);
            }
            for (ChangeEvent e : stream) {
                assertThat(e.op()).isEqualTo(Op.CREATE);
                byId.put(((Long) e.after().get("id")).intValue(), e);
            }
            try (Connection c = postgres.connect()) {
                for (int id = 1; id <= 5; id++) {
                    Map<String, Object> java =
                            id == 2 || id == 4 ? nulls() : id == 5 ? valuesB() : valuesA();
                    if (id <= 2) {
                        java = snapshotTimePrecision(java);
                    }
                    Map<String, Object> expected = expectedRow(c, id, java);
                    assertThat(byId.get(id).after())
                            .as("row %d (%s)", id, id <= 2 ? "snapshot" : "stream")
                            .containsExactlyEntriesOf(expected);
                }
            }
            // pin a few encodings of the contract literally
            Map<String, Object> a = byId.get(3).after();
            assertThat(a.get("c_numeric")).isEqualTo(new BigDecimal("-12345.678"));
            assertThat(a.get("c_tstz")).isEqualTo("2024-01-02 01:04:05.123456Z");
            assertThat(a.get("c_ts")).isEqualTo("2024-01-02 03:04:05.123456");
            assertThat(a.get("c_date")).isEqualTo("2024-02-29");
            assertThat(a.get("c_time")).isEqualTo("13:14:15.123456");
            assertThat(a.get("c_bytea")).isEqualTo("AAH/fw==");
            assertThat(a.get("c_int_arr")).isEqualTo(List.of(1L, -2L, 3L));
            assertThat(byId.get(5).after().get("c_ts")).isEqualTo("1969-12-31 23:59:59.999999");
            assertThat(job.extra(QUIET)).isEmpty();
        } finally {
            try (Connection c = postgres.connect()) {
                resetSlot(c, slot);
            }
        }
    }

    @Test
    void failureWhileStreamingStillYieldsEveryChangeOnce(PostgresServer postgres) throws Exception {
        String slot = "it_failover_slot";
        try (Connection c = postgres.connect()) {
            resetSlot(c, slot);
            exec(
                    c,
                    "DROP TABLE IF EXISTS public.it_failover",
                    "CREATE TABLE public.it_failover (id int PRIMARY KEY, name text, qty int)",
                    "ALTER TABLE public.it_failover REPLICA IDENTITY FULL",
                    "INSERT INTO public.it_failover VALUES (1, 'one', 1), (2, 'two', 2),"
                            + " (3, 'three', 3)");
        }
        FailOnce.FAILED.set(false);
        // no slot.drop.on.stop here: the restarted reader must resume from the same slot
        Source<ChangeEvent, ?, ?> source =
                source(postgres, "public.it_failover", slot)
                        .debeziumProperties(props("slot.drop.on.stop", "false"))
                        .build();
        try (RunningJob job = RunningJob.start(source, s -> s.map(new FailOnce(8)), 1, 1)) {
            assertThat(job.take(3, TIMEOUT)).extracting(ChangeEvent::op).containsOnly(Op.READ);
            try (Connection c = postgres.connect()) {
                // the map fails at id 8: write up to it, let the job fail and restart, then more
                for (int id = 4; id <= 8; id++) {
                    exec(c, "INSERT INTO public.it_failover VALUES (" + id + ", 'n', " + id + ")");
                }
                await("injected failure").atMost(TIMEOUT).untilTrue(FailOnce.FAILED);
                for (int id = 9; id <= 13; id++) {
                    exec(c, "INSERT INTO public.it_failover VALUES (" + id + ", 'n', " + id + ")");
                }
            }
            List<ChangeEvent> changes = job.take(10, TIMEOUT);
            assertThat(FailOnce.FAILED).isTrue();
            assertThat(changes)
                    .extracting(e -> e.after().get("id"))
                    .containsExactly(4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L);
            assertThat(changes).extracting(ChangeEvent::op).containsOnly(Op.CREATE);
            assertThat(job.extra(QUIET)).isEmpty();
        } finally {
            try (Connection c = postgres.connect()) {
                resetSlot(c, slot);
            }
        }
    }

    @Test
    void wrongPasswordFailsFastNamingTheProblem(PostgresServer postgres) throws Exception {
        try (Connection c = postgres.connect()) {
            exec(
                    c,
                    "DROP ROLE IF EXISTS it_pw_user",
                    "CREATE ROLE it_pw_user LOGIN REPLICATION PASSWORD 'right-secret'");
            // the local stack trusts every login; demand a password from this one role only
            try (HbaOverride ignored =
                    HbaOverride.prepend(
                            c, "host all it_pw_user 127.0.0.1/32 scram-sha-256", postgres)) {
                assertThatThrownBy(
                                () ->
                                        source(postgres, "public.it_crud", "it_pw_slot")
                                                .username("it_pw_user")
                                                .password("wrong-secret")
                                                .build())
                        .isInstanceOf(CdcSetupException.class)
                        .hasMessageContaining("password authentication failed")
                        .hasMessageContaining("'it_pw_user'")
                        .hasMessageContaining("'password'");
            }
        }
    }

    @Test
    void missingTableFailsFast(PostgresServer postgres) {
        assertThatThrownBy(
                        () ->
                                source(postgres, "public.it_no_such_table", "it_missing_slot")
                                        .build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("not found")
                .hasMessageContaining("public.it_no_such_table");
    }

    @Test
    void userWithoutReplicationFailsFast(PostgresServer postgres) throws Exception {
        try (Connection c = postgres.connect()) {
            exec(c, "DROP ROLE IF EXISTS it_norepl", "CREATE ROLE it_norepl LOGIN");
        }
        assertThatThrownBy(
                        () ->
                                source(postgres, "public.it_ri", "it_norepl_slot")
                                        .username("it_norepl")
                                        .build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("'it_norepl'")
                .hasMessageContaining("REPLICATION");
    }

    @Test
    void replicaIdentityIsCheckedOrSet(PostgresServer postgres) throws Exception {
        try (Connection c = postgres.connect()) {
            exec(
                    c,
                    "DROP PUBLICATION IF EXISTS it_ri_slot_pub",
                    "DROP TABLE IF EXISTS public.it_ri",
                    "CREATE TABLE public.it_ri (id int PRIMARY KEY, v text)");
        }
        assertThatThrownBy(() -> source(postgres, "public.it_ri", "it_ri_slot").build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("REPLICA IDENTITY FULL")
                .hasMessageContaining("ALTER TABLE \"public\".\"it_ri\" REPLICA IDENTITY FULL")
                .hasMessageContaining("replica-identity.mode");

        source(postgres, "public.it_ri", "it_ri_slot")
                .replicaIdentityMode(ReplicaIdentityMode.AUTO)
                .build();
        try (Connection c = postgres.connect();
                Statement st = c.createStatement()) {
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT relreplident FROM pg_class WHERE oid = 'public.it_ri'::regclass")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("f");
            }
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT schemaname || '.' || tablename FROM pg_publication_tables"
                                    + " WHERE pubname = 'it_ri_slot_pub'")) {
                List<String> published = new ArrayList<>();
                while (rs.next()) {
                    published.add(rs.getString(1));
                }
                assertThat(published).containsExactly("public.it_ri");
            }
        }
    }

    // ---------------------------------------------------------------------------------------

    private static Map<String, Object> row(int id, String name, int qty) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("name", name);
        row.put("qty", qty);
        return ColumnValues.toJsonRow(row);
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }

    private static final List<String> TYPE_COLUMNS =
            List.of(
                    "c_numeric",
                    "c_int",
                    "c_bigint",
                    "c_bool",
                    "c_text",
                    "c_varchar",
                    "c_date",
                    "c_time",
                    "c_ts",
                    "c_tstz",
                    "c_json",
                    "c_jsonb",
                    "c_uuid",
                    "c_bytea",
                    "c_int_arr",
                    "c_text_arr");

    /** The Java values inserted into the type matrix, in {@link #TYPE_COLUMNS} order. */
    private static Map<String, Object> valuesA() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("c_numeric", new BigDecimal("-12345.678"));
        v.put("c_int", -42);
        v.put("c_bigint", 9007199254740993L);
        v.put("c_bool", true);
        v.put("c_text", "h\u00e9llo \"quoted\"\n\ttab");
        v.put("c_varchar", "abc");
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
        return v;
    }

    private static Map<String, Object> valuesB() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("c_numeric", new BigDecimal("123456789.001"));
        v.put("c_int", Integer.MIN_VALUE);
        v.put("c_bigint", Long.MAX_VALUE);
        v.put("c_bool", false);
        v.put("c_text", "");
        v.put("c_varchar", "z");
        v.put("c_date", LocalDate.of(1969, 12, 31));
        v.put("c_time", LocalTime.of(0, 0));
        v.put("c_ts", LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000));
        v.put("c_tstz", OffsetDateTime.of(1999, 12, 31, 23, 0, 0, 0, ZoneOffset.ofHours(-5)));
        v.put("c_json", "[]");
        v.put("c_jsonb", "\"text\"");
        v.put("c_uuid", UUID.fromString("00000000-0000-0000-0000-000000000000"));
        v.put("c_bytea", new byte[0]);
        v.put("c_int_arr", new Integer[0]);
        v.put("c_text_arr", new String[] {"\u00fcml\u00e4ut"});
        return v;
    }

    /**
     * Known upstream limitation (Flink CDC 3.5.0): its snapshot reader reads rows with {@code
     * ResultSet.getObject}, which gives {@code java.sql.Time} for {@code time} columns, so snapshot
     * reads ({@code r}) keep only milliseconds; streamed changes keep microseconds. This pins the
     * behaviour so that a fixed upstream version makes the test fail and the note go.
     */
    private static Map<String, Object> snapshotTimePrecision(Map<String, Object> java) {
        Map<String, Object> v = new LinkedHashMap<>(java);
        if (v.get("c_time") != null) {
            v.put("c_time", ((LocalTime) v.get("c_time")).truncatedTo(ChronoUnit.MILLIS));
        }
        return v;
    }

    private static Map<String, Object> nulls() {
        Map<String, Object> v = new LinkedHashMap<>();
        TYPE_COLUMNS.forEach(col -> v.put(col, null));
        return v;
    }

    private static void insertTypes(Connection c, int id, Map<String, Object> values)
            throws SQLException {
        String sql =
                "INSERT INTO public.it_types (id, "
                        + String.join(", ", TYPE_COLUMNS)
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?::jsonb, ?, ?, ?, ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, id);
            int i = 2;
            for (String column : TYPE_COLUMNS) {
                Object value = values.get(column);
                if (value instanceof Integer[]) {
                    ps.setArray(i, c.createArrayOf("int4", (Integer[]) value));
                } else if (value instanceof String[]) {
                    ps.setArray(i, c.createArrayOf("text", (String[]) value));
                } else if (value == null) {
                    ps.setObject(i, null, sqlType(column));
                } else {
                    ps.setObject(i, value);
                }
                i++;
            }
            ps.executeUpdate();
        }
    }

    private static int sqlType(String column) {
        return column.endsWith("_arr") ? java.sql.Types.ARRAY : java.sql.Types.OTHER;
    }

    /**
     * What the row must look like: the inserted Java values through {@link ColumnValues}, json and
     * jsonb as the text PostgreSQL returns for them ({@code jsonb} normalizes it).
     */
    private static Map<String, Object> expectedRow(Connection c, int id, Map<String, Object> java)
            throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        try (PreparedStatement ps =
                c.prepareStatement("SELECT c_json, c_jsonb FROM public.it_types WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                for (String column : TYPE_COLUMNS) {
                    Object value = java.get(column);
                    if (column.equals("c_json") || column.equals("c_jsonb")) {
                        String text = rs.getString(column);
                        value = text == null ? null : new JsonText(text);
                    }
                    row.put(column, value);
                }
            }
        }
        return ColumnValues.toJsonRow(row);
    }

    /** Prepends a line to pg_hba.conf (server-side, as superuser) and restores it on close. */
    static final class HbaOverride implements AutoCloseable {
        private final Connection connection;
        private final String path;
        private final String original;
        private final PostgresServer postgres;

        private HbaOverride(
                Connection connection, String path, String original, PostgresServer postgres) {
            this.connection = connection;
            this.path = path;
            this.original = original;
            this.postgres = postgres;
        }

        static HbaOverride prepend(Connection c, String line, PostgresServer postgres)
                throws Exception {
            String path;
            String original;
            try (Statement st = c.createStatement();
                    ResultSet rs =
                            st.executeQuery(
                                    "SELECT setting, pg_read_file(setting) FROM pg_settings"
                                            + " WHERE name = 'hba_file'")) {
                rs.next();
                path = rs.getString(1);
                original = rs.getString(2);
            }
            HbaOverride override = new HbaOverride(c, path, original, postgres);
            override.write(line + "\n" + original);
            await("the reloaded rules reject a wrong password")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> !canConnect(postgres.jdbcUrl(), "it_pw_user", "probe"));
            return override;
        }

        private static boolean canConnect(String url, String user, String password) {
            try (Connection probe = DriverManager.getConnection(url, user, password)) {
                return true;
            } catch (SQLException rejected) {
                return false;
            }
        }

        private void write(String content) throws SQLException {
            long oid;
            try (PreparedStatement ps =
                    connection.prepareStatement("SELECT lo_from_bytea(0, convert_to(?, 'UTF8'))")) {
                ps.setString(1, content);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    oid = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = connection.prepareStatement("SELECT lo_export(?, ?)")) {
                ps.setLong(1, oid);
                ps.setString(2, path);
                ps.executeQuery().close();
            }
            try (PreparedStatement ps = connection.prepareStatement("SELECT lo_unlink(?)")) {
                ps.setLong(1, oid);
                ps.executeQuery().close();
            }
            try (Statement st = connection.createStatement()) {
                st.execute("SELECT pg_reload_conf()");
            }
        }

        @Override
        public void close() throws Exception {
            write(original);
        }
    }
}
