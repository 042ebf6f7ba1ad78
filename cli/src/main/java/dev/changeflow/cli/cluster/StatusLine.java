package dev.changeflow.cli.cluster;

import dev.changeflow.localstack.server.FlinkRestClient;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running job's status as one line, printed every few seconds while {@code changeflow ingest}
 * runs: on a terminal the line is rewritten in place, elsewhere (a log, a pipe) a plain line is
 * added each time. Read from the job's REST API, as {@code changeflow status} reads it.
 */
public final class StatusLine implements AutoCloseable {

    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread thread = new Thread(r, "changeflow-status-line");
                        thread.setDaemon(true);
                        return thread;
                    });
    private final PrintStream out;
    private final boolean terminal;
    private final Map<String, Long> estimates;
    private volatile boolean printed;

    private StatusLine(PrintStream out, boolean terminal, Map<String, Long> estimates) {
        this.out = out;
        this.terminal = terminal;
        this.estimates = estimates;
    }

    /**
     * Starts printing the status of job {@code jobId} of the cluster at {@code restUrl} every
     * {@code intervalSeconds}, with the tables' names and estimated rows from {@code estimates}
     * ({@link TableEstimates}; empty: the metric names, no estimate).
     */
    public static StatusLine start(
            String restUrl,
            String jobId,
            long intervalSeconds,
            PrintStream out,
            boolean terminal,
            Map<String, Long> estimates) {
        StatusLine line = new StatusLine(out, terminal, estimates);
        FlinkRestClient rest = new FlinkRestClient(restUrl);
        line.timer.scheduleWithFixedDelay(
                () -> line.print(rest, jobId), intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
        return line;
    }

    /**
     * The status line of job {@code jobId} now, or null when its REST API does not answer; {@code
     * estimates} as for {@link #start}.
     */
    public static String once(String restUrl, String jobId, Map<String, Long> estimates) {
        try {
            for (JobStatus job : JobStatus.readAll(new FlinkRestClient(restUrl))) {
                if (job.id().equals(jobId)) {
                    return format(job.named(estimates), System.currentTimeMillis());
                }
            }
        } catch (Exception e) {
            // not answering (yet)
        }
        return null;
    }

    private void print(FlinkRestClient rest, String jobId) {
        try {
            for (JobStatus job : JobStatus.readAll(rest)) {
                if (job.id().equals(jobId)) {
                    String text = format(job.named(estimates), System.currentTimeMillis());
                    synchronized (this) {
                        if (terminal) {
                            out.print("\r\033[2K" + text);
                        } else {
                            out.println(text);
                        }
                        out.flush();
                        printed = true;
                    }
                }
            }
        } catch (Exception e) {
            // the job is stopping or the REST API is busy: the next tick tries again
        }
    }

    /**
     * {@code status: public.orders 200/~1000 snapshot rows, 512 changes, 3.5/s, lag 40 ms |
     * checkpoint #12 2 s ago | dead letters 0} (the estimate when the database gave one).
     */
    static String format(JobStatus job, long now) {
        StringJoiner tables = new StringJoiner("; ");
        List<JobStatus.TableStatus> list = job.tables();
        for (JobStatus.TableStatus t : list) {
            tables.add(
                    String.format(
                            Locale.ROOT,
                            "%s %d%s snapshot rows, %d changes, %.1f/s%s",
                            t.table(),
                            t.snapshotRows(),
                            t.estimatedRows() < 0 ? "" : "/~" + t.estimatedRows(),
                            t.changes(),
                            t.changesPerSecond(),
                            t.lagMs() < 0 ? "" : ", lag " + t.lagMs() + " ms"));
        }
        JobStatus.Checkpoints c = job.checkpoints();
        String checkpoint =
                c.lastId() < 0
                        ? "no checkpoint yet"
                        : "checkpoint #"
                                + c.lastId()
                                + " "
                                + StatusCommand.duration(now - c.lastAckTime())
                                + " ago";
        return "status: "
                + (list.isEmpty() ? job.state() : tables.toString())
                + " | "
                + checkpoint
                + (c.failingSinceLast() ? " (the newest attempt failed)" : "")
                + " | restarts "
                + job.restarts()
                + " | dead letters "
                + job.deadLetters();
    }

    /** Stops printing; on a terminal ends the rewritten line. */
    @Override
    public synchronized void close() {
        timer.shutdownNow();
        if (terminal && printed) {
            out.println();
        }
    }
}
