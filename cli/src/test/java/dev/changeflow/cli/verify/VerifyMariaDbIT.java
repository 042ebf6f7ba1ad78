package dev.changeflow.cli.verify;

import dev.changeflow.jobs.ingest.IngestJob;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.MariaDbServer;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code changeflow verify --source mysql} on MariaDB, with a text primary key in a
 * case-insensitive collation: ranges are walked in binary order on both sides, so keys the
 * collation orders differently ({@code Zoe} before {@code adam} in binary) still line up.
 */
@LocalStackTest(services = {Service.MARIADB, Service.KAFKA})
class VerifyMariaDbIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void verifiesTextKeysAndNamesARowChangedBehindTheSinksBack(
            MariaDbServer mariadb, KafkaServer kafka, @TempDir Path dir) throws Exception {
        String run = "verifymy" + (System.currentTimeMillis() / 1000 % 1_000_000);
        String table = MariaDbServer.DATABASE + ".verify_tags";
        try (Connection c = mariadb.connect();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute(
                    "CREATE TABLE "
                            + table
                            + " (name varchar(40) COLLATE utf8mb4_general_ci PRIMARY KEY, uses"
                            + " int NOT NULL, price decimal(8,3), seen datetime(6))");
            s.execute(
                    "INSERT INTO "
                            + table
                            + " VALUES ('Zoe', 1, 1.5, '2026-01-01 10:00:00.123456'), ('adam', 2,"
                            + " NULL, NULL), ('Émile', 3, 3.25, '2026-01-02 00:00:00'), ('bob',"
                            + " 4, 4, NULL), ('ZED', 5, 0.001, NULL), ('a b', 6, 6, NULL),"
                            + " ('c', 7, 7, NULL), ('Ünal', 8, 8, NULL), ('_x', 9, 9, NULL)");
        }
        Configuration ingest = new Configuration();
        ingest.setString("execution.checkpointing.interval", "1 s");
        ingest.setString("execution.checkpointing.dir", dir.resolve("chk").toUri().toString());
        ingest.setString("parallelism.default", "1");
        ingest.setString("source", "mysql");
        ingest.setString("hostname", mariadb.host());
        ingest.setString("port", Integer.toString(mariadb.port()));
        ingest.setString("username", MariaDbServer.CDC_USER);
        ingest.setString("password", MariaDbServer.CDC_PASSWORD);
        ingest.setString("table-list", table);
        ingest.setString("server-id", "5701");
        ingest.setString("kafka.bootstrap-servers", kafka.bootstrapServers());
        ingest.setString("topic.prefix", run);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(ingest);
        IngestJob.prepare(ingest, env);
        JobClient job = env.executeAsync("verify it: MariaDB ingest");
        try {
            try (Connection c = mariadb.connect();
                    Statement s = c.createStatement()) {
                s.execute("UPDATE " + table + " SET uses = 20 WHERE name = 'adam'");
                s.execute("DELETE FROM " + table + " WHERE name = 'c'");
            }
            String[] args = verifyArgs(mariadb, kafka, table, run, dir, "--wait=0s");
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> verify(args).get("ok").asBoolean());
            JsonNode clean = verify(args).at("/results/0");
            assertThat(clean.get("databaseRows").asLong()).isEqualTo(8);
            assertThat(clean.get("sinkRows").asLong()).isEqualTo(8);
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
        try (Connection c = mariadb.connect();
                Statement s = c.createStatement()) {
            s.execute("UPDATE " + table + " SET price = 2.5 WHERE name = 'Émile'");
        }
        JsonNode differs =
                verify(verifyArgs(mariadb, kafka, table, run, dir, "--wait=1s")).at("/results/0");
        assertThat(differs.get("different").asLong()).isEqualTo(1);
        assertThat(differs.get("missing").asLong() + differs.get("extra").asLong()).isZero();
        JsonNode row = differs.at("/rows/0");
        assertThat(row.get("key").toString()).isEqualTo("{\"name\":\"Émile\"}");
        assertThat(row.at("/columns/0/column").asText()).isEqualTo("price");
        assertThat(row.at("/columns/0/database").asText()).isEqualTo("2.5");
        assertThat(row.at("/columns/0/sink").asText()).isEqualTo("3.25");
    }

    private static String[] verifyArgs(
            MariaDbServer mariadb,
            KafkaServer kafka,
            String table,
            String run,
            Path dir,
            String wait) {
        return new String[] {
            "--source=mysql",
            "--hostname=" + mariadb.host(),
            "--port=" + mariadb.port(),
            "--username=" + MariaDbServer.CDC_USER,
            "--password=" + MariaDbServer.CDC_PASSWORD,
            "--table-list=" + table,
            "--against=kafka",
            "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
            "--topic.prefix=" + run,
            "--range-rows=3",
            wait,
            "--json",
            "--state-dir=" + dir.resolve("verify")
        };
    }

    private static JsonNode verify(String... args) throws Exception {
        VerifyCommand command = new VerifyCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        int code = new CommandLine(command).execute(args);
        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isIn(0, 1);
        return JSON.readTree(out.toString(StandardCharsets.UTF_8));
    }
}
