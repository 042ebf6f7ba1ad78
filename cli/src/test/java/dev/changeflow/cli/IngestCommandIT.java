package dev.changeflow.cli;

import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.PostgresServer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code changeflow ingest} as a user runs it: PostgreSQL into Kafka on a local MiniCluster. */
@LocalStackTest(services = {Service.POSTGRES, Service.KAFKA})
class IngestCommandIT {

    @Test
    void capturesATableIntoItsTopic(PostgresServer postgres, KafkaServer kafka, @TempDir Path dir)
            throws Exception {
        try (Connection c = postgres.connect();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS public.cli_items");
            s.execute("CREATE TABLE public.cli_items (id int PRIMARY KEY, name text)");
            s.execute("ALTER TABLE public.cli_items REPLICA IDENTITY FULL");
            s.execute("INSERT INTO public.cli_items VALUES (1, 'one'), (2, 'two')");
            s.execute(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                            + " WHERE slot_name = 'cli_slot'");
        }
        int restPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            restPort = socket.getLocalPort();
        }
        CompletableFuture<Integer> run =
                CompletableFuture.supplyAsync(
                        () ->
                                Changeflow.commandLine()
                                        .execute(
                                                "ingest",
                                                "--hostname=" + postgres.host(),
                                                "--port=" + postgres.port(),
                                                "--database-name=" + postgres.database(),
                                                "--username=" + postgres.user(),
                                                "--password=" + postgres.password(),
                                                "--table-list=public.cli_items",
                                                "--slot.name=cli_slot",
                                                "--kafka.bootstrap-servers="
                                                        + kafka.bootstrapServers(),
                                                "--topic.prefix=cli",
                                                "-D",
                                                "execution.checkpointing.interval=500ms",
                                                "-D",
                                                "rest.port=" + restPort,
                                                "-D",
                                                "execution.checkpointing.dir=" + dir.toUri(),
                                                "--exit-after=30"));

        List<String> values = new ArrayList<>();
        try (var consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                ConsumerConfig.GROUP_ID_CONFIG,
                                "cli-it",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                "earliest",
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                "read_committed"),
                        new StringDeserializer(),
                        new StringDeserializer())) {
            consumer.subscribe(List.of("cli.changeflow.public.cli_items"));
            boolean inserted = false;
            long deadline = System.currentTimeMillis() + 28_000;
            while (values.size() < 3 && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                if (values.size() == 2 && !inserted) {
                    try (Connection c = postgres.connect();
                            Statement s = c.createStatement()) {
                        s.execute("INSERT INTO public.cli_items VALUES (3, 'three')");
                    }
                    inserted = true;
                }
            }
        }
        assertThat(values).hasSize(3);
        assertThat(values.get(0)).contains("\"op\":\"r\"");
        assertThat(values.get(2)).contains("\"op\":\"c\"").contains("\"name\":\"three\"");

        // changeflow status names the job's slot and the WAL it retains
        StringWriter status = new StringWriter();
        int code =
                Changeflow.commandLine()
                        .setOut(new PrintWriter(status))
                        .execute(
                                "status",
                                "--rest=http://127.0.0.1:" + restPort,
                                "--hostname=" + postgres.host(),
                                "--port=" + postgres.port(),
                                "--database-name=" + postgres.database(),
                                "--username=" + postgres.user(),
                                "--password=" + postgres.password());
        assertThat(code).as(status.toString()).isZero();
        assertThat(status.toString())
                .contains("changeflow-ingest")
                .contains("RUNNING")
                .containsPattern("cli_slot\\s+pgoutput\\s+yes\\s+\\d+");
        await().atMost(Duration.ofSeconds(60)).until(run::isDone);
        assertThat(run.get()).isZero();
        assertThat(dir).isNotEmptyDirectory();
    }

    @Test
    void aWrongPasswordIsNamed(PostgresServer postgres, KafkaServer kafka) {
        StringWriter err = new StringWriter();
        int code =
                Changeflow.commandLine()
                        .setErr(new PrintWriter(err))
                        .execute(
                                "ingest",
                                "--hostname=" + postgres.host(),
                                "--port=" + postgres.port(),
                                "--database-name=" + postgres.database(),
                                "--username=nobody_here",
                                "--password=wrong",
                                "--table-list=public.cli_items",
                                "--slot.name=cli_bad_slot",
                                "--kafka.bootstrap-servers=" + kafka.bootstrapServers());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("nobody_here");
    }
}
