package dev.changeflow.cli.sql;

import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.process.RuntimeClasspath;
import dev.changeflow.localstack.server.FlinkCluster;
import dev.changeflow.localstack.server.FlinkRestClient;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.PostgresServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static dev.changeflow.cli.sql.SqlTestSupport.assertCapturesShopChanges;
import static dev.changeflow.cli.sql.SqlTestSupport.createShopTables;
import static dev.changeflow.cli.sql.SqlTestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code sql/postgres-to-kafka.sql} through Flink's stock SQL client ({@code
 * org.apache.flink.table.client.SqlClient -f}, in a JVM of its own, as {@code sql-client.sh -f}
 * runs it) against the stack's standalone cluster: the script's variables substituted as {@code
 * changeflow sql run} does, the classpath a distribution would give the client (runtime-flink's
 * lib/ jars, runtime-sql-client's opt/ jars, the connector jars), the connector jars shipped with
 * {@code --jar}. The client exits 0 even when a statement fails, so its output must hold no {@code
 * [ERROR]}; the job must run and write the shop tables' debezium-json envelopes to Kafka.
 */
@LocalStackTest(services = {Service.KAFKA, Service.POSTGRES, Service.FLINK})
class StockSqlClientIT {

    private static final String SCHEMA = "sql_stock";
    private static final String PREFIX = "stockit";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String SQL_CLIENT_MAIN = "org.apache.flink.table.client.SqlClient";
    private static final Pattern JOB_ID = Pattern.compile("Job ID: ([0-9a-f]{32})");

    @Test
    void runsPostgresToKafkaOnTheCluster(
            KafkaServer kafka, PostgresServer postgres, FlinkCluster flink, @TempDir Path dir)
            throws Exception {
        createShopTables(postgres, SCHEMA);
        Map<String, String> vars =
                Map.of(
                        "KAFKA_BOOTSTRAP", kafka.bootstrapServers(),
                        "PG_HOST", postgres.host(),
                        "PG_PORT", Integer.toString(postgres.port()),
                        "PG_USER", postgres.user(),
                        "PG_PASSWORD", postgres.password(),
                        "PG_DATABASE", postgres.database(),
                        "PG_SCHEMA", SCHEMA,
                        "TOPIC_PREFIX", PREFIX);
        // envsubst's job, done by the runner's own substitution
        Path runSql = dir.resolve("run.sql");
        Files.writeString(
                runSql,
                SqlScript.substitute(
                                SqlScript.split(Files.readString(script("postgres-to-kafka.sql"))),
                                vars::get)
                        .stream()
                        .map(statement -> statement.text() + ";\n")
                        .collect(Collectors.joining("\n")));
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(
                conf.resolve("config.yaml"),
                "execution.target: remote\n"
                        + "rest.address: "
                        + flink.host()
                        + "\nrest.port: "
                        + flink.restPort()
                        + "\n");
        Files.copy(flink.confDir().resolve("log4j.properties"), conf.resolve("log4j.properties"));

        List<Path> connectorJars =
                SqlConnectors.jars(
                        SqlConnectors.needed(
                                SqlScript.split(
                                        Files.readString(script("postgres-to-kafka.sql")))));
        assertThat(connectorJars.stream().map(jar -> jar.getFileName().toString()))
                .anyMatch(name -> name.startsWith("flink-sql-connector-postgres-cdc-"))
                .anyMatch(name -> name.startsWith("flink-connector-kafka-"));
        List<String> classpath = new ArrayList<>(RuntimeClasspath.of("runtime-flink"));
        classpath.addAll(RuntimeClasspath.of("runtime-sql-client"));
        connectorJars.forEach(jar -> classpath.add(jar.toString()));

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(FlinkCluster.JAVA_17_OPTIONS);
        command.add("-Xmx512m");
        command.add("-Dlog.file=" + dir.resolve("sql-client.log"));
        command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath));
        command.add(SQL_CLIENT_MAIN);
        for (Path jar : connectorJars) {
            command.add("--jar");
            command.add(jar.toString());
        }
        // its command history goes to ~/.flink-sql-history unless told otherwise
        command.add("--history");
        command.add(dir.resolve("sql-history").toString());
        command.add("-f");
        command.add(runSql.toString());
        Path output = dir.resolve("sql-client.out");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile());
        builder.environment().put("FLINK_CONF_DIR", conf.toString());
        Process client = builder.start();
        // it hangs instead of failing on an unreachable REST endpoint
        boolean exited = client.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!exited) {
            client.destroyForcibly().waitFor();
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        System.out.printf("$ SqlClient -f %s%n%s%n", runSql, out);
        assertThat(exited).as("the SQL client ended within %s:%n%s", TIMEOUT, out).isTrue();
        assertThat(client.exitValue()).as(out).isZero();
        assertThat(out).doesNotContain("[ERROR]");
        Matcher job = JOB_ID.matcher(out);
        assertThat(job.find()).as(out).isTrue();
        String jobId = job.group(1);
        assertThat(job.find()).as("one job for the statement set:%n%s", out).isFalse();

        FlinkRestClient rest = new FlinkRestClient(flink.restUrl());
        try {
            await().atMost(TIMEOUT).until(() -> "RUNNING".equals(rest.jobState(jobId)));
            assertCapturesShopChanges(kafka, postgres, SCHEMA, PREFIX, TIMEOUT);
        } finally {
            rest.cancel(jobId);
            await().atMost(TIMEOUT).until(() -> "CANCELED".equals(rest.jobState(jobId)));
        }
    }
}
