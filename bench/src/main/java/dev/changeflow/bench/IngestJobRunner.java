package dev.changeflow.bench;

import dev.changeflow.jobs.ingest.IngestJob;

import org.apache.flink.api.java.utils.ParameterTool;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The job side of the benchmark, in a JVM of its own so that its heap is the TaskManager's: runs
 * {@link IngestJob} on a local MiniCluster with the given {@code --key value} options (those of
 * {@code flink run changeflow-ingest.jar}) and takes commands on standard input, one per line:
 *
 * <ul>
 *   <li>{@code stop <dir>}: stop the job with a savepoint into {@code dir}; answers {@code
 *       SAVEPOINT <path>} once the job ended
 *   <li>{@code restore <path>}: start the job again from a savepoint, in this JVM (its JIT-compiled
 *       code stays warm, as in a long-running TaskManager); answers {@code RUNNING <job id>}
 *   <li>{@code cancel}: cancel the job; answers {@code CANCELLED} once it ended
 *   <li>{@code cpu}: answers {@code CPU <nanos>}, the CPU time this JVM used so far
 *   <li>{@code exit}: answers {@code HEAP ...} (see {@link HeapMonitor}) and {@code EXIT}, and
 *       exits
 * </ul>
 *
 * <p>Answers are lines starting with {@code BENCH} on standard output; the first is {@code BENCH
 * RUNNING <job id>} once the job runs.
 */
public final class IngestJobRunner {

    private IngestJobRunner() {}

    public static void main(String[] args) throws Exception {
        Configuration options = Configuration.fromMap(ParameterTool.fromArgs(args).toMap());
        HeapMonitor heap = HeapMonitor.start(50);
        JobClient job = start(options, null);
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            line = line.trim();
            if (line.startsWith("stop ")) {
                String path =
                        job.stopWithSavepoint(
                                        false,
                                        line.substring(5).trim(),
                                        SavepointFormatType.CANONICAL)
                                .get(2, TimeUnit.MINUTES);
                awaitTerminated(job);
                answer("SAVEPOINT " + path);
            } else if (line.startsWith("restore ")) {
                job = start(options, line.substring(8).trim());
            } else if (line.equals("cancel")) {
                job.cancel().get(1, TimeUnit.MINUTES);
                awaitTerminated(job);
                answer("CANCELLED");
            } else if (line.equals("cpu")) {
                answer("CPU " + cpuNanos());
            } else if (line.equals("exit")) {
                break;
            }
        }
        answer("HEAP " + heap.snapshot().toLine());
        answer("EXIT");
        System.out.flush();
        // Debezium and Kafka threads of a finished job may linger; the jobs are done.
        System.exit(0);
    }

    /** Starts the job, from a savepoint if {@code restore} is not null, and waits until it runs. */
    private static JobClient start(Configuration options, String restore) throws Exception {
        Configuration cluster = new Configuration();
        if (restore != null) {
            cluster.set(StateRecoveryOptions.SAVEPOINT_PATH, restore);
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(cluster);
        String name = IngestJob.prepare(options, env);
        JobClient job = env.executeAsync(name);
        JobClients.awaitRunning(job);
        answer("RUNNING " + job.getJobID());
        return job;
    }

    private static void awaitTerminated(JobClient job) {
        try {
            job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
        } catch (Exception e) {
            // cancelled jobs end exceptionally; the status says how it ended
        }
    }

    /** CPU time of this JVM, all threads. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void answer(String line) {
        System.out.println("BENCH " + line);
        System.out.flush();
    }
}
