package dev.changeflow.cli.cluster;

import dev.changeflow.localstack.server.FlinkRestClient;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code changeflow stop JOB_ID --savepoint DIR}: {@code flink stop} over REST. */
@Command(
        name = "stop",
        mixinStandardHelpOptions = true,
        description = {
            "Stops a job with a savepoint (what 'flink stop --savepointPath' does), waits for it"
                    + " and prints the savepoint's path: pass it to 'changeflow submit"
                    + " --from-savepoint' (or 'flink run -s') to resume."
        })
public final class StopCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB_ID", description = "The job to stop.")
    String jobId;

    @Option(
            names = "--savepoint",
            required = true,
            paramLabel = "DIR",
            description =
                    "Where the cluster writes the savepoint: a local path (made an absolute"
                            + " file: URI) or a URI it can write (file:///..., s3://...).")
    String savepoint;

    @Mixin RestOption restOption;

    @Option(
            names = "--timeout",
            defaultValue = "120",
            paramLabel = "SECONDS",
            description = "How long to wait for the savepoint (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String url = null;
        try {
            url = ClusterSupport.restUrl(restOption.url);
            String target = ClusterSupport.savepointTarget(savepoint);
            FlinkRestClient client = new FlinkRestClient(url);
            String path =
                    client.stopWithSavepoint(jobId, target, Duration.ofSeconds(timeoutSeconds));
            if (path == null || path.isEmpty()) {
                throw new ClusterSupport.Failure(
                        "savepoint of job " + jobId + " completed without a location");
            }
            out.println(path);
            out.flush();
            return 0;
        } catch (Exception e) {
            err.println("changeflow stop: " + ClusterSupport.describe(url, e));
            return 1;
        }
    }
}
