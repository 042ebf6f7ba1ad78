package dev.changeflow.cli.cluster;

import dev.changeflow.localstack.server.FlinkCluster;
import dev.changeflow.localstack.server.FlinkRestClient;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code changeflow cluster up|down|status}: a standalone Flink cluster, and what runs on one. */
@Command(
        name = "cluster",
        description = "Runs a local standalone Flink cluster, or shows what runs on a cluster.",
        mixinStandardHelpOptions = true,
        subcommands = {
            ClusterCommand.Up.class,
            ClusterCommand.Down.class,
            ClusterCommand.Status.class
        })
public final class ClusterCommand {

    /** Starts a JobManager and a TaskManager, prints the REST URL, stops them on Ctrl-C. */
    @Command(
            name = "up",
            mixinStandardHelpOptions = true,
            description = {
                "Starts a standalone Flink 1.20 session cluster (a JobManager and a TaskManager,"
                        + " each its own JVM), prints its REST / web UI URL and keeps it running"
                        + " until Ctrl-C.",
                "The cluster lives as long as this command: it does not detach. Submit jobs to"
                        + " it from another terminal with 'changeflow submit'."
            })
    static final class Up implements Callable<Integer> {

        @Spec CommandSpec spec;

        @Option(
                names = "--dir",
                defaultValue = "target/cluster",
                paramLabel = "DIR",
                description =
                        "Where the cluster keeps its configuration, logs, checkpoints and"
                                + " savepoints (under DIR/flink; default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(
                names = "--slots",
                defaultValue = "2",
                paramLabel = "N",
                description = "Task slots of the TaskManager (default: ${DEFAULT-VALUE}).")
        int slots;

        @Option(
                names = "--rest-port",
                defaultValue = "8081",
                paramLabel = "PORT",
                description =
                        "REST and web UI port on 127.0.0.1; 0 takes a free one (default:"
                                + " ${DEFAULT-VALUE}).")
        int restPort;

        @Option(
                names = "--exit-after",
                paramLabel = "SECONDS",
                description = "Stop by itself after this many seconds (default: run until Ctrl-C).")
        Long exitAfter;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            FlinkCluster cluster;
            try {
                cluster =
                        new FlinkCluster(dir)
                                .taskSlots(slots)
                                .restPort(restPort)
                                .superviseTaskManagers(true);
            } catch (IllegalArgumentException e) {
                err.println("changeflow cluster up: " + e.getMessage());
                return 2;
            }
            long t0 = System.nanoTime();
            out.println("Starting a Flink cluster in " + dir.toAbsolutePath() + " ...");
            out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook =
                    new Thread(
                            () -> {
                                out.println("Stopping the Flink cluster ...");
                                cluster.close();
                                out.println("Stopped.");
                                out.flush();
                                stopped.countDown();
                            },
                            "cluster-up-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                cluster.start();
            } catch (Exception e) {
                Runtime.getRuntime().removeShutdownHook(hook);
                cluster.close();
                err.println(
                        "changeflow cluster up: "
                                + ClusterSupport.oneLine(
                                        e.getMessage() == null ? e.toString() : e.getMessage()));
                return 1;
            }
            out.println();
            out.printf("  %-12s %s%n", "REST/web UI", cluster.restUrl());
            out.printf("  %-12s %s%n", "slots", slots);
            out.printf("  %-12s %s%n", "savepoints", cluster.savepointDir().toUri());
            out.printf("  %-12s %s%n", "checkpoints", cluster.checkpointDir().toUri());
            out.printf("  %-12s %s%n", "logs", cluster.logDir());
            out.printf(
                    "%nFlink cluster ready in %.1f s. Press Ctrl-C to stop.%n",
                    (System.nanoTime() - t0) / 1e9);
            out.println(
                    "Submit a job: changeflow submit ingest --rest "
                            + cluster.restUrl()
                            + " -- --source postgres ...");
            out.flush();
            if (exitAfter != null) {
                stopped.await(exitAfter, TimeUnit.SECONDS);
                Runtime.getRuntime().removeShutdownHook(hook);
                cluster.close();
                out.println("Stopped.");
                out.flush();
                return 0;
            }
            // until Ctrl-C, or until the JobManager is gone ('changeflow cluster down')
            while (!stopped.await(1, TimeUnit.SECONDS)) {
                if (cluster.jobManagerPid().isEmpty()) {
                    Runtime.getRuntime().removeShutdownHook(hook);
                    out.println("The JobManager has shut down; stopping the TaskManager.");
                    cluster.close();
                    out.println("Stopped.");
                    out.flush();
                    return 0;
                }
            }
            return 0;
        }
    }

    /** Shuts a cluster down over REST, as {@code stop-cluster.sh} does for a distribution. */
    @Command(
            name = "down",
            mixinStandardHelpOptions = true,
            description = {
                "Shuts a Flink session cluster down over REST (DELETE /cluster): running jobs are"
                        + " cancelled (stop them with 'changeflow stop --savepoint' first to keep"
                        + " their state), the JobManager exits, and 'changeflow cluster up' stops"
                        + " its TaskManager and returns."
            })
    static final class Down implements Callable<Integer> {

        @Spec CommandSpec spec;

        @Mixin RestOption restOption;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String url;
            try {
                url = ClusterSupport.restUrl(restOption.url);
            } catch (ClusterSupport.Failure e) {
                err.println("changeflow cluster down: " + e.getMessage());
                return 2;
            }
            FlinkRestClient client = new FlinkRestClient(url);
            try {
                for (JsonNode job : client.get("/jobs/overview").path("jobs")) {
                    if ("RUNNING".equals(job.path("state").asText())) {
                        out.printf(
                                "Cancelling %s %s%n",
                                job.path("jid").asText(), job.path("name").asText());
                    }
                }
                client.shutdownCluster();
            } catch (Exception e) {
                err.println(
                        "changeflow cluster down: no cluster answered at "
                                + url
                                + ": "
                                + ClusterSupport.oneLine(String.valueOf(e.getMessage())));
                return 1;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                try {
                    client.get("/overview");
                    TimeUnit.MILLISECONDS.sleep(200);
                } catch (Exception gone) {
                    out.println("Cluster at " + url + " shut down.");
                    return 0;
                }
            }
            err.println("changeflow cluster down: " + url + " still answers after 60 s");
            return 1;
        }
    }

    /** TaskManagers, slots and jobs of a cluster. */
    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Shows a Flink cluster's TaskManagers, slots and jobs.")
    static final class Status implements Callable<Integer> {

        @Spec CommandSpec spec;

        @Mixin RestOption restOption;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            String url;
            try {
                url = ClusterSupport.restUrl(restOption.url);
            } catch (ClusterSupport.Failure e) {
                spec.commandLine().getErr().println("changeflow cluster status: " + e.getMessage());
                return 2;
            }
            try {
                FlinkRestClient client = new FlinkRestClient(url);
                JsonNode overview = client.get("/overview");
                JsonNode taskManagers = client.get("/taskmanagers").path("taskmanagers");
                JsonNode jobs = client.get("/jobs/overview").path("jobs");
                out.printf("Flink %s at %s%n", overview.path("flink-version").asText("?"), url);
                out.printf(
                        "TaskManagers: %d, slots: %d (%d available), jobs running: %d%n",
                        overview.path("taskmanagers").asInt(),
                        overview.path("slots-total").asInt(),
                        overview.path("slots-available").asInt(),
                        overview.path("jobs-running").asInt());
                out.println();
                out.printf("%-40s %6s %6s%n", "TASKMANAGER", "SLOTS", "FREE");
                for (JsonNode tm : taskManagers) {
                    out.printf(
                            "%-40s %6d %6d%n",
                            tm.path("id").asText(),
                            tm.path("slotsNumber").asInt(),
                            tm.path("freeSlots").asInt());
                }
                out.println();
                if (jobs.isEmpty()) {
                    out.println("No jobs.");
                } else {
                    out.printf("%-32s  %-12s %s%n", "JOB ID", "STATE", "NAME");
                    for (JsonNode job : jobs) {
                        out.printf(
                                "%-32s  %-12s %s%n",
                                job.path("jid").asText(),
                                job.path("state").asText(),
                                job.path("name").asText());
                    }
                }
                out.flush();
                return 0;
            } catch (Exception e) {
                spec.commandLine()
                        .getErr()
                        .println("changeflow cluster status: " + ClusterSupport.describe(url, e));
                return 1;
            }
        }
    }
}
