package dev.changeflow.cli.cluster;

import dev.changeflow.cli.Changeflow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterCommandsTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli =
                Changeflow.commandLine()
                        .setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void jobNamesResolveToTheJobsOfTheFatJar() {
        assertThat(ClusterSupport.entryClass("ingest"))
                .isEqualTo("dev.changeflow.jobs.ingest.IngestJob");
        assertThat(ClusterSupport.entryClass("Views"))
                .isEqualTo("dev.changeflow.jobs.views.ViewsJob");
        assertThat(ClusterSupport.entryClass("analytics"))
                .isEqualTo("dev.changeflow.jobs.analytics.AnalyticsJob");
        assertThat(ClusterSupport.entryClass("com.example.MyJob")).isEqualTo("com.example.MyJob");
        assertThatThrownBy(() -> ClusterSupport.entryClass("ingset"))
                .hasMessage(
                        "unknown job 'ingset' (known: ingest, views, analytics, alerts, or a"
                                + " fully qualified class name)");
        assertThatThrownBy(() -> ClusterSupport.entryClass("com.example."))
                .hasMessageContaining("unknown job");
    }

    @Test
    void submitParsesOptionsAndPassesTheRestToTheJob() {
        SubmitCommand submit = new SubmitCommand();
        new CommandLine(submit)
                .parseArgs(
                        "views",
                        "--rest",
                        "http://jm:8081",
                        "-p",
                        "3",
                        "--from-savepoint",
                        "file:/sp/savepoint-1",
                        "--",
                        "--topics",
                        "a,b",
                        "--group.id",
                        "g");
        assertThat(submit.job).isEqualTo("views");
        assertThat(submit.restOption.url).isEqualTo("http://jm:8081");
        assertThat(submit.parallelism).isEqualTo(3);
        assertThat(submit.fromSavepoint).isEqualTo("file:/sp/savepoint-1");
        assertThat(submit.args).containsExactly("--topics", "a,b", "--group.id", "g");
    }

    @Test
    void restDefaultsToTheLocalPortOrTheVariable() {
        SubmitCommand submit = new SubmitCommand();
        new CommandLine(submit).parseArgs("ingest");
        String expected = System.getenv("CHANGEFLOW_FLINK_REST");
        assertThat(submit.restOption.url)
                .isEqualTo(expected == null ? "http://127.0.0.1:8081" : expected);
        assertThat(submit.parallelism).isEqualTo(1);
        assertThat(submit.args).isEmpty();
        assertThat(submit.fromSavepoint).isNull();

        StopCommand stop = new StopCommand();
        new CommandLine(stop).parseArgs("abc123", "--savepoint", "/tmp/sp");
        assertThat(stop.jobId).isEqualTo("abc123");
        assertThat(stop.savepoint).isEqualTo("/tmp/sp");
        assertThat(stop.timeoutSeconds).isEqualTo(120);
    }

    @Test
    void clusterUpOptions() {
        ClusterCommand.Up up = new ClusterCommand.Up();
        new CommandLine(up).parseArgs("--slots", "4", "--rest-port", "0", "--dir", "x");
        assertThat(up.slots).isEqualTo(4);
        assertThat(up.restPort).isZero();
        assertThat(up.dir).isEqualTo(Path.of("x"));
        assertThat(up.exitAfter).isNull();
        ClusterCommand.Up defaults = new ClusterCommand.Up();
        new CommandLine(defaults).parseArgs();
        assertThat(defaults.slots).isEqualTo(2);
        assertThat(defaults.restPort).isEqualTo(8081);
        assertThat(run("cluster", "up", "--help")).isZero();
        assertThat(out.toString()).contains("does not detach");
    }

    @Test
    void savepointDirectoriesBecomeUris() {
        assertThat(ClusterSupport.savepointTarget("s3://bucket/sp")).isEqualTo("s3://bucket/sp");
        assertThat(ClusterSupport.savepointTarget("file:///tmp/sp")).isEqualTo("file:///tmp/sp");
        assertThat(ClusterSupport.savepointTarget("/tmp/sp")).isEqualTo("file:///tmp/sp");
        assertThat(ClusterSupport.savepointTarget("sp"))
                .isEqualTo(Path.of("sp").toAbsolutePath().toUri().toString());
    }

    @Test
    void theFatJarIsFoundByGlobOrNamedClearlyWhenMissing(@TempDir Path dir) throws Exception {
        Path target = Files.createDirectories(dir.resolve("jobs/target"));
        String views = ClusterSupport.jarGlob(ClusterSupport.entryClass("views"));
        assertThatThrownBy(() -> ClusterSupport.jar(null, views, List.of(target)))
                .hasMessageContaining("no changeflow-jobs-*.jar found")
                .hasMessageContaining(target.toString())
                .hasMessageContaining("--jar");
        Files.createFile(target.resolve("original-changeflow-jobs-1.jar"));
        Files.createFile(target.resolve("changeflow-jobs-1-sources.jar"));
        Path jar = Files.createFile(target.resolve("changeflow-jobs-1.jar"));
        Path ingestJar = Files.createFile(target.resolve("changeflow-ingest-1.jar"));
        assertThat(ClusterSupport.jar(null, views, List.of(dir.resolve("nowhere"), target)))
                .isEqualTo(jar);
        // each job from the jar of its side of Kafka
        assertThat(
                        ClusterSupport.jar(
                                null,
                                ClusterSupport.jarGlob(ClusterSupport.entryClass("ingest")),
                                List.of(target)))
                .isEqualTo(ingestJar);
        assertThat(ClusterSupport.jarGlob(ClusterSupport.entryClass("analytics"))).isEqualTo(views);
        assertThatThrownBy(
                        () ->
                                ClusterSupport.jar(
                                        dir.resolve("missing.jar"), views, List.of(target)))
                .hasMessageContaining("no such jar");
    }

    @Test
    void errorsAreOneLineAndNonZero() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;

        assertThat(run("cluster", "status", "--rest", url)).isEqualTo(1);
        assertThat(err.toString().strip())
                .isEqualTo(
                        "changeflow cluster status: no Flink cluster answers at "
                                + url
                                + " (start one with 'changeflow cluster up', or pass --rest)");

        err.getBuffer().setLength(0);
        assertThat(run("submit", "nope", "--rest", url)).isEqualTo(1);
        assertThat(err.toString().strip())
                .isEqualTo(
                        "changeflow submit: unknown job 'nope' (known: ingest, views, analytics,"
                                + " alerts, or a fully qualified class name)");

        err.getBuffer().setLength(0);
        assertThat(run("submit", "ingest", "--rest", url, "--jar", "/no/such.jar")).isEqualTo(1);
        assertThat(err.toString().strip())
                .isEqualTo("changeflow submit: no such jar: /no/such.jar");

        err.getBuffer().setLength(0);
        assertThat(run("stop", "0123", "--savepoint", "/tmp/sp", "--rest", url)).isEqualTo(1);
        assertThat(err.toString().strip()).startsWith("changeflow stop: no Flink cluster answers");

        err.getBuffer().setLength(0);
        assertThat(run("cluster", "status", "--rest", "localhost:8081")).isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo(
                        "changeflow cluster status: not a REST URL (expected http://host:port):"
                                + " localhost:8081");
    }

    @Test
    void flinkRestErrorsAreReducedToTheRootCause() {
        String message =
                "POST http://jm/jars/x/run answered 500: {\"errors\":[\"org.apache.flink.runtime"
                        + ".rest.handler.RestHandlerException: Could not execute application.\\n"
                        + "\\tat org.apache.Foo.bar(Foo.java:1)\\n"
                        + "Caused by: java.lang.ClassNotFoundException: com.example.Missing\\n"
                        + "\\tat x.y(Z.java:2)\"]}";
        assertThat(ClusterSupport.oneLine(message))
                .isEqualTo(
                        "REST answered 500: java.lang.ClassNotFoundException:"
                                + " com.example.Missing");
        assertThat(ClusterSupport.oneLine("first\nsecond")).isEqualTo("first");
    }
}
