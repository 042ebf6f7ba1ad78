package dev.changeflow.cli.cluster;

import dev.changeflow.localstack.server.FlinkRestClient;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code changeflow submit JOB -- args}: {@code flink run -d} over REST. */
@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        description = {
            "Submits a job of the fat jar to a Flink cluster over REST (what 'flink run -d' does)"
                    + " and prints its job id.",
            "JOB is ingest, views, analytics or a fully qualified class name of the jar. The job's"
                    + " own options follow '--', e.g.:",
            "  changeflow submit views -- --kafka.bootstrap-servers 127.0.0.1:9092 --topics ..."
        })
public final class SubmitCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "JOB",
            description = "ingest, views, analytics, alerts, or a fully qualified class name.")
    String job;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "The job's arguments (after --).")
    List<String> args = new ArrayList<>();

    @Mixin RestOption restOption;

    @Option(
            names = "--jar",
            paramLabel = "PATH",
            description =
                    "The fat jar (default: the newest jobs/target/"
                            + ClusterSupport.INGEST_JAR_GLOB
                            + " for ingest, "
                            + ClusterSupport.JOBS_JAR_GLOB
                            + " for the others, built by mvn package).")
    Path jar;

    @Option(
            names = {"-p", "--parallelism"},
            defaultValue = "1",
            paramLabel = "N",
            description = "The job's parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = {"-s", "--from-savepoint"},
            paramLabel = "PATH",
            description =
                    "Start from this savepoint (or retained checkpoint), as printed by"
                            + " 'changeflow stop'.")
    String fromSavepoint;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String url = null;
        try {
            url = ClusterSupport.restUrl(restOption.url);
            String entryClass = ClusterSupport.entryClass(job);
            if (parallelism < 1) {
                throw new ClusterSupport.Failure(
                        "--parallelism must be at least 1, got " + parallelism);
            }
            Path fatJar =
                    ClusterSupport.jar(
                            jar,
                            ClusterSupport.jarGlob(entryClass),
                            ClusterSupport.jarSearchDirs());
            FlinkRestClient client = new FlinkRestClient(url);
            err.println("Uploading " + fatJar + " to " + url + " ...");
            err.flush();
            String jarId = client.uploadJar(fatJar);
            String jobId = client.runJar(jarId, entryClass, args, parallelism, fromSavepoint);
            if (jobId == null || jobId.isEmpty()) {
                throw new ClusterSupport.Failure("the cluster answered without a job id");
            }
            out.println(jobId);
            out.flush();
            return 0;
        } catch (Exception e) {
            err.println("changeflow submit: " + ClusterSupport.describe(url, e));
            return 1;
        }
    }
}
