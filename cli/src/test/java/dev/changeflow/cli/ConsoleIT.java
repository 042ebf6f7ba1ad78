package dev.changeflow.cli;

import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.MariaDbServer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console of {@code ./changeflow ingest} as a user sees it: the tool's own lines only, with the
 * libraries' chatter (the binlog client's {@code java.util.logging} records, the MariaDB driver's
 * and Kafka's warnings, Hadoop's native-library notice) in the log file the command names.
 */
@LocalStackTest(services = {Service.MARIADB, Service.KAFKA})
class ConsoleIT {

    private static final Pattern JUL_RECORD =
            Pattern.compile("^[A-Z][a-z]{2} \\d{2}, \\d{4} \\d{1,2}:\\d{2}:\\d{2} [AP]M .*");
    private static final Pattern LIBRARY_WARNING =
            Pattern.compile("^\\d{2}:\\d{2}:\\d{2} (WARN|ERROR) .*");

    private static final String PASSWORD = "Pw-c0nsole-7f3a";

    @Test
    void ingestShowsOnlyItsOwnLinesAndSendsTheRestToTheLogFile(
            MariaDbServer mariadb, KafkaServer kafka) throws Exception {
        String table = MariaDbServer.DATABASE + ".console_items";
        try (Connection c = mariadb.connect();
                Statement s = c.createStatement()) {
            // a user of its own, whose password must not show anywhere
            s.execute("DROP USER IF EXISTS 'console_cdc'@'%'");
            s.execute("CREATE USER 'console_cdc'@'%' IDENTIFIED BY '" + PASSWORD + "'");
            s.execute(
                    "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT,"
                            + " PROCESS ON *.* TO 'console_cdc'@'%'");
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, name varchar(20))");
            s.execute("INSERT INTO " + table + " VALUES (1, 'one'), (2, 'two')");
        }
        Path dir = Path.of("target", "console-it").toAbsolutePath();
        Files.createDirectories(dir);
        Path logFile = dir.resolve("changeflow.log");
        Files.deleteIfExists(logFile);
        Path passwordFile = dir.resolve("password");
        Files.writeString(passwordFile, PASSWORD + "\n");
        int restPort = freePort();
        int metricsPort = freePort();
        Path root = Path.of("..").toAbsolutePath().normalize();
        ProcessBuilder builder =
                new ProcessBuilder(
                                root.resolve("changeflow").toString(),
                                "ingest",
                                "--source=mysql",
                                "--hostname=" + mariadb.host(),
                                "--port=" + mariadb.port(),
                                "--username=console_cdc",
                                "--password-file=" + passwordFile,
                                "--table-list=" + table,
                                "--server-id=5801-5804",
                                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                                "--topic.prefix=console" + System.currentTimeMillis() % 100_000,
                                "-D",
                                "execution.checkpointing.dir=" + dir.resolve("chk").toUri(),
                                "-D",
                                "rest.port=" + restPort,
                                "-D",
                                "execution.checkpointing.interval=2s",
                                "--metrics.port=" + metricsPort,
                                "--status-interval=3",
                                "--exit-after=20")
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("console.out").toFile());
        builder.environment().put("CHANGEFLOW_NO_BUILD", "1");
        builder.environment().put("CHANGEFLOW_LOG_FILE", logFile.toString());
        Process process = builder.start();
        // while it runs: what Flink's REST API shows of the job and the cluster
        List<String> rest = new ArrayList<>();
        await().atMost(Duration.ofMinutes(1))
                .ignoreExceptions()
                .until(() -> get(restPort, "/jobs/overview").contains("RUNNING"));
        String overview = get(restPort, "/jobs/overview");
        String jobId = overview.replaceAll(".*\"jid\":\"([0-9a-f]+)\".*", "$1");
        for (String path :
                List.of(
                        "/jobmanager/config",
                        "/jobs/" + jobId + "/config",
                        "/jobs/" + jobId,
                        "/taskmanagers")) {
            rest.add(get(restPort, path));
        }
        // Prometheus scrapes the per-table metrics of the job
        await().atMost(Duration.ofMinutes(1))
                .ignoreExceptions()
                .until(
                        () -> {
                            String scrape = get(metricsPort, "/metrics");
                            return metric(scrape, "snapshotRecords", table) == 2;
                        });
        // then one streamed change, whose binlog position the job reports
        try (Connection c = mariadb.connect();
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + table + " VALUES (3, 'three')");
        }
        // changeflow status reads the same from the REST API (whose metrics refresh every 10 s)
        com.fasterxml.jackson.databind.JsonNode job =
                await().atMost(Duration.ofMinutes(1))
                        .until(
                                () -> {
                                    java.io.StringWriter status = new java.io.StringWriter();
                                    int code =
                                            Changeflow.commandLine()
                                                    .setOut(new java.io.PrintWriter(status))
                                                    .execute(
                                                            "status",
                                                            "--rest",
                                                            "http://127.0.0.1:" + restPort,
                                                            "--json",
                                                            "--source=mysql",
                                                            "--hostname=" + mariadb.host(),
                                                            "--port=" + mariadb.port(),
                                                            "--username=console_cdc",
                                                            "--password-file=" + passwordFile);
                                    assertThat(code).as(status.toString()).isZero();
                                    return new com.fasterxml.jackson.databind.ObjectMapper()
                                            .readTree(status.toString());
                                },
                                j ->
                                        j.at("/jobs/0/tables/0/changes").asLong() == 3
                                                && j.at("/jobs/0/binlogBytesBehind").asLong() >= 0);
        assertThat(job.at("/jobs/0/tables/0/snapshotRows").asLong()).isEqualTo(2);
        // the job's binlog position and the server's: nothing else writes, so it is close
        assertThat(job.at("/jobs/0/binlogPosition").asLong() >>> 32)
                .isEqualTo(
                        Long.parseLong(
                                job.at("/database/binlog/file").asText().replaceAll(".*\\.", "")));
        assertThat(job.at("/jobs/0/binlogBytesBehind").asLong()).isLessThan(64 * 1024);
        // the database side: the binlog the server writes and keeps
        assertThat(job.at("/database/binlog/file").asText()).startsWith("mysql-bin.");
        assertThat(job.at("/database/binlog/files").asInt()).isPositive();
        job = job.at("/jobs/0");
        // every metric the Grafana dashboard (docker/grafana) charts is one the job exports
        java.util.Set<String> charted = dashboardMetrics(root);
        assertThat(charted).hasSizeGreaterThanOrEqualTo(8);
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .untilAsserted(
                        () -> {
                            String scrape = get(metricsPort, "/metrics");
                            assertThat(charted)
                                    .allMatch(name -> scrape.contains("\n" + name + "{"));
                        });
        assertThat(job.get("id").asText()).isEqualTo(jobId);
        assertThat(job.get("state").asText()).isEqualTo("RUNNING");
        assertThat(job.get("deadLetters").asLong()).isZero();
        // the database's own table name (Flink's metric names read changeflow_console_items)
        assertThat(job.at("/tables/0/table").asText()).isEqualTo("changeflow.console_items");
        assertThat(job.at("/tables/0/estimatedRows").isNumber()).isTrue();
        assertThat(job.at("/tables/0/snapshotRows").asLong()).isEqualTo(2);
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("ingest exits").isTrue();
        List<String> console = Files.readAllLines(dir.resolve("console.out"));
        String output = String.join("\n", console);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output)
                .contains("Running changeflow-ingest")
                .contains("Logs of Flink and the connectors: " + logFile)
                .containsPattern(
                        "status: changeflow\\.console_items 2(/~\\d+)? snapshot rows, [23] changes,"
                                + " [0-9.]+/s(, lag \\d+ ms)?"
                                + " \\| checkpoint #\\d+ \\d+ s ago \\| restarts 0 \\| dead letters 0");
        assertThat(console)
                .as("no java.util.logging record and no library warning on the console")
                .noneMatch(line -> JUL_RECORD.matcher(line).matches())
                .noneMatch(line -> LIBRARY_WARNING.matcher(line).matches())
                .noneMatch(line -> line.contains("BinaryLogClient"))
                .noneMatch(line -> line.contains("serverTimezone"))
                .noneMatch(line -> line.contains("NativeCodeLoader"));
        String log = Files.readString(logFile, StandardCharsets.UTF_8);
        assertThat(output).doesNotContain(PASSWORD);
        assertThat(log).doesNotContain(PASSWORD);
        assertThat(String.join("\n", rest))
                .contains(jobId)
                .as("the password option is listed, masked")
                .contains("\"key\":\"password-file\",\"value\":\"******\"")
                .doesNotContain(PASSWORD);
        assertThat(log)
                .as("the binlog client's java.util.logging records reach the log file")
                .contains("com.github.shyiko.mysql.binlog.BinaryLogClient");
        assertThat(log).contains("org.apache.flink");
    }

    /**
     * The {@code name} series of {@code table} in a Prometheus scrape, summed over the subtasks
     * (the reporter writes label values with {@code _} for {@code .}).
     */
    private static double metric(String scrape, String name, String table) {
        String label = "table=\"" + table.replaceAll("[^a-zA-Z0-9_]", "_") + "\"";
        return scrape.lines()
                .filter(line -> !line.startsWith("#"))
                .filter(line -> line.contains("_" + name + "{") && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** The metric names in the dashboard's Prometheus queries. */
    private static java.util.Set<String> dashboardMetrics(Path root) throws Exception {
        java.util.Set<String> names = new java.util.TreeSet<>();
        var dashboard =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(
                                root.resolve("docker/grafana/changeflow-dashboard.json").toFile());
        java.util.regex.Matcher m =
                Pattern.compile("flink_[A-Za-z0-9_]+")
                        .matcher(dashboard.findValuesAsText("expr").toString());
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static String get(int port, String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
