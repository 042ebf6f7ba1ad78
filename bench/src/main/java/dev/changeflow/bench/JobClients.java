package dev.changeflow.bench;

import org.apache.flink.core.execution.JobClient;

import java.util.concurrent.TimeUnit;

/** What the benchmark's job runners wait for. */
final class JobClients {

    private JobClients() {}

    /**
     * Waits until {@code job} runs.
     *
     * @throws IllegalStateException if it ended first (with its failure as the cause) or is not
     *     running after two minutes
     */
    static void awaitRunning(JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            switch (job.getJobStatus().get()) {
                case RUNNING:
                    return;
                case FAILED:
                case CANCELED:
                case FINISHED:
                    job.getJobExecutionResult().get();
                    throw new IllegalStateException("job ended before running");
                default:
                    Thread.sleep(20);
            }
        }
        throw new IllegalStateException("job not running after 2 minutes");
    }
}
