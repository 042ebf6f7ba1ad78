package dev.changeflow.bench;

import dev.changeflow.cdc.query.config.QueryDialect;
import dev.changeflow.cdc.query.dialect.Dialect;
import dev.changeflow.localstack.LocalStack;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.PostgresServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.ColumnValues;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.SourceInfo;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code changeflow verify} on a large table: rows/s against the floor of the same work (a process
 * that only reads both sides: the table through JDBC, the topic to its end), each in a JVM of its
 * own with the same small heap, alternately, several runs. The heap is far below what the table's
 * rows would take in memory, so a pass shows that verification runs in bounded memory.
 */
public final class VerifyBenchmark {

    private static final String TABLE = "bench_verify";

    public static void main(String[] args) throws Exception {
        BenchArgs given =
                BenchArgs.parse(
                        args,
                        Map.of("--quick", Map.of("rows", "50000", "runs", "1")),
                        () -> new IllegalArgumentException(usage()));
        long rows = Long.parseLong(given.get("rows", "1000000"));
        int runs = Integer.parseInt(given.get("runs", "3"));
        String heap = given.get("heap", "160m");
        Path work = Path.of(given.get("work", "bench/target/bench-run/verify"));
        Path results = Path.of(given.get("results", "bench/results"));
        given.rejectUnknown(usage());
        BenchSupport.cleanWorkDir(work);
        String load = BenchSupport.loadAverage();
        try (LocalStack stack =
                LocalStack.builder()
                        .baseDir(work.resolve("stack"))
                        .services(Service.POSTGRES, Service.KAFKA)
                        .build()) {
            stack.start();
            PostgresServer pg = stack.postgres();
            KafkaServer kafka = stack.kafka();
            String topic = "bench." + pg.database() + ".public." + TABLE;
            BenchSupport.say("creating %,d rows in PostgreSQL and their snapshot records", rows);
            createTable(pg, rows);
            writeTopic(pg, kafka, topic);
            List<String> common =
                    List.of(
                            "--hostname=" + pg.host(),
                            "--port=" + pg.port(),
                            "--database-name=" + pg.database(),
                            "--username=" + pg.user(),
                            "--password=" + pg.password(),
                            "--table-list=public." + TABLE,
                            "--against=kafka",
                            "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                            "--topic.prefix=bench",
                            "--wait=0s",
                            "--state-dir=" + work.resolve("verify-state"));
            List<String> floor =
                    List.of(
                            "jdbc:postgresql://"
                                    + pg.host()
                                    + ":"
                                    + pg.port()
                                    + "/"
                                    + pg.database(),
                            pg.user(),
                            pg.password(),
                            "public." + TABLE,
                            kafka.bootstrapServers(),
                            topic);
            double[] verifySeconds = new double[runs];
            double[] floorSeconds = new double[runs];
            for (int run = 0; run < runs; run++) {
                floorSeconds[run] =
                        timed(work, heap, "floor-" + run, VerifyFloor.class.getName(), floor, 0);
                List<String> verify = new ArrayList<>(List.of("verify"));
                verify.addAll(common);
                verifySeconds[run] =
                        timed(
                                work,
                                heap,
                                "verify-" + run,
                                "dev.changeflow.cli.Changeflow",
                                verify,
                                0);
                BenchSupport.say(
                        "run %d: verify %.1f s (%,.0f rows/s), floor %.1f s (%,.0f rows/s)",
                        run + 1,
                        verifySeconds[run],
                        rows / verifySeconds[run],
                        floorSeconds[run],
                        rows / floorSeconds[run]);
            }
            report(results, rows, runs, heap, load, verifySeconds, floorSeconds);
        }
    }

    private static void createTable(PostgresServer pg, long rows) throws Exception {
        try (Connection c = pg.connect();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS public." + TABLE);
            s.execute(
                    "CREATE TABLE public."
                            + TABLE
                            + " (id bigint PRIMARY KEY, customer_id bigint NOT NULL, amount"
                            + " numeric(12,2) NOT NULL, status text NOT NULL, note text, created_at"
                            + " timestamp(3) NOT NULL, paid boolean NOT NULL)");
            s.execute(
                    "INSERT INTO public."
                            + TABLE
                            + " SELECT g, g % 5000, (g % 100000) / 100.0, (ARRAY['new','paid',"
                            + "'shipped','cancelled'])[1 + g % 4], CASE WHEN g % 7 = 0 THEN NULL"
                            + " ELSE 'note for order ' || g END, TIMESTAMP '2026-01-01' + g *"
                            + " INTERVAL '1.5 seconds', g % 3 = 0 FROM generate_series(1, "
                            + rows
                            + ") g");
            s.execute("ANALYZE public." + TABLE);
        }
    }

    /** The snapshot as the ingest job writes it: one {@code r} envelope per row, keyed by id. */
    private static void writeTopic(PostgresServer pg, KafkaServer kafka, String topic)
            throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();
        }
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        Dialect dialect = Dialect.of(QueryDialect.POSTGRES);
        long now = System.currentTimeMillis();
        try (Connection c = pg.connect();
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                props, new ByteArraySerializer(), new ByteArraySerializer())) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(10_000);
                try (ResultSet rs = s.executeQuery("SELECT * FROM public." + TABLE)) {
                    ResultSetMetaData meta = rs.getMetaData();
                    while (rs.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            row.put(meta.getColumnLabel(i), dialect.value(rs, i, meta));
                        }
                        long id = rs.getLong("id");
                        SourceInfo source =
                                SourceInfo.builder(Connector.LOG, pg.database(), "public", TABLE)
                                        .tsMs(now)
                                        .snapshot(true)
                                        .position(Positions.ofSequence(id))
                                        .build();
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        ChangeEventJson.keyToBytes(Map.of("id", id)),
                                        ChangeEventJson.toBytes(
                                                ChangeEvent.read(
                                                        source,
                                                        now,
                                                        ColumnValues.toJsonRow(row)))));
                    }
                }
            }
            producer.flush();
        }
    }

    /** Runs {@code main} in a JVM of its own with {@code heap}; its seconds, or fails. */
    private static double timed(
            Path work, String heap, String name, String main, List<String> args, int expectedExit)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        String extra = System.getenv("BENCH_CHILD_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(Arrays.asList(extra.trim().split("\\s+")));
        }
        command.addAll(java17Options());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main);
        command.addAll(args);
        Path log = work.resolve(name + ".log");
        long start = System.nanoTime();
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        if (!process.waitFor(30, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not end within 30 minutes; see " + log);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (process.exitValue() != expectedExit) {
            throw new IllegalStateException(
                    name
                            + " exited "
                            + process.exitValue()
                            + ":\n"
                            + String.join("\n", tail(Files.readAllLines(log), 30)));
        }
        return seconds;
    }

    private static List<String> java17Options() throws IOException {
        var in = VerifyBenchmark.class.getResourceAsStream("/META-INF/changeflow/java17.options");
        if (in == null) {
            return List.of();
        }
        try (in) {
            return Arrays.asList(new String(in.readAllBytes()).trim().split("\\s+"));
        }
    }

    private static List<String> tail(List<String> lines, int n) {
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    private static void report(
            Path results,
            long rows,
            int runs,
            String heap,
            String load,
            double[] verify,
            double[] floor)
            throws IOException {
        double verifyMedian = median(verify);
        double floorMedian = median(floor);
        String md =
                String.format(
                        Locale.ROOT,
                        "# changeflow verify: %,d rows, PostgreSQL vs Kafka%n%n"
                                + "Each side in a JVM of its own with -Xmx%s (the rows would take"
                                + " several times that in memory), %d runs alternating, load %s"
                                + " at the start.%n%n"
                                + "| | median s | min-max s | rows/s (median) |%n"
                                + "| --- | ---: | ---: | ---: |%n"
                                + "| verify (fold topic into RocksDB, ranges of 10,000, checksums)"
                                + " | %.1f | %.1f-%.1f | %,.0f |%n"
                                + "| floor (read the table via JDBC and the topic to its end,"
                                + " compare nothing) | %.1f | %.1f-%.1f | %,.0f |%n%n"
                                + "verify at **%.2fx** the floor's rate.%n",
                        rows,
                        heap,
                        runs,
                        load,
                        verifyMedian,
                        min(verify),
                        max(verify),
                        rows / verifyMedian,
                        floorMedian,
                        min(floor),
                        max(floor),
                        rows / floorMedian,
                        floorMedian / verifyMedian);
        Files.createDirectories(results);
        Files.writeString(results.resolve("verify.md"), md);
        Files.writeString(
                results.resolve("verify.json"),
                String.format(
                        Locale.ROOT,
                        "{\"rows\": %d, \"runs\": %d, \"heap\": \"%s\", \"load\": %s,"
                                + " \"verifySeconds\": %s, \"floorSeconds\": %s,"
                                + " \"verifyRowsPerSecond\": %.0f, \"ratioToFloor\": %.3f}%n",
                        rows,
                        runs,
                        heap,
                        load,
                        Arrays.toString(verify),
                        Arrays.toString(floor),
                        rows / verifyMedian,
                        floorMedian / verifyMedian));
        System.out.print(md);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(0);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }

    private static String usage() {
        return "VerifyBenchmark [--rows N (1000000)] [--runs N (3)] [--heap SIZE (160m)]"
                + " [--work DIR] [--results DIR] [--quick]";
    }
}
