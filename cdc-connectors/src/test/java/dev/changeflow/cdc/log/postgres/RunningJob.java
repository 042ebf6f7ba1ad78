package dev.changeflow.cdc.log.postgres;

import dev.changeflow.schemas.ChangeEvent;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.awaitility.Awaitility.await;

/**
 * A streaming job on the test MiniCluster whose output is drained into a queue, so a test can take
 * the next n events, check that nothing more arrives, and cancel the job and wait for its end
 * (Flink CDC shares connection pools per JVM, so the next job must not start while this one is
 * still cancelling).
 */
final class RunningJob implements AutoCloseable {

    private final JobClient client;
    private final CloseableIterator<ChangeEvent> results;
    private final BlockingQueue<ChangeEvent> queue = new LinkedBlockingQueue<>();
    private final Thread drainer;

    private RunningJob(JobClient client, CloseableIterator<ChangeEvent> results) {
        this.client = client;
        this.results = results;
        this.drainer = new Thread(this::drain, "collect-" + client.getJobID());
        drainer.setDaemon(true);
        drainer.start();
    }

    /** Runs {@code source} with parallelism 1 and checkpoints every 500 ms. */
    static RunningJob start(Source<ChangeEvent, ?, ?> source) throws Exception {
        return with(source).start();
    }

    /** Runs {@code source}, passing its stream through {@code pipeline} before collecting it. */
    static RunningJob start(
            Source<ChangeEvent, ?, ?> source,
            Function<DataStream<ChangeEvent>, DataStream<ChangeEvent>> pipeline,
            int parallelism,
            int restarts)
            throws Exception {
        return with(source).pipeline(pipeline).parallelism(parallelism).restarts(restarts).start();
    }

    /** A job of {@code source} to configure and {@link Options#start()}. */
    static Options with(Source<ChangeEvent, ?, ?> source) {
        return new Options(source);
    }

    /** How the job runs: parallelism 1, no restarts, checkpoints every 500 ms unless set. */
    static final class Options {
        private final Source<ChangeEvent, ?, ?> source;
        private Function<DataStream<ChangeEvent>, DataStream<ChangeEvent>> pipeline = s -> s;
        private int parallelism = 1;
        private int restarts;
        private Duration checkpointInterval = Duration.ofMillis(500);

        private Options(Source<ChangeEvent, ?, ?> source) {
            this.source = source;
        }

        /** Passes the source's stream through {@code pipeline} before collecting it. */
        Options pipeline(Function<DataStream<ChangeEvent>, DataStream<ChangeEvent>> pipeline) {
            this.pipeline = pipeline;
            return this;
        }

        Options parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** Fixed-delay restarts (200 ms apart); 0 fails the job on the first failure. */
        Options restarts(int restarts) {
            this.restarts = restarts;
            return this;
        }

        /** Periodic checkpoints; a very long interval leaves checkpoints to the test. */
        Options checkpointInterval(Duration interval) {
            this.checkpointInterval = interval;
            return this;
        }

        RunningJob start() throws Exception {
            Configuration conf = new Configuration();
            if (restarts == 0) {
                conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            } else {
                conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
                conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, restarts);
                conf.set(
                        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                        Duration.ofMillis(200));
            }
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(parallelism);
            env.enableCheckpointing(checkpointInterval.toMillis());
            DataStream<ChangeEvent> stream =
                    pipeline.apply(
                            env.fromSource(
                                    source, WatermarkStrategy.noWatermarks(), "postgres-log"));
            CloseableIterator<ChangeEvent> results = stream.collectAsync();
            JobClient client = env.executeAsync("postgres-log-source-it");
            return new RunningJob(client, results);
        }
    }

    /** Waits for the next {@code n} events. */
    List<ChangeEvent> take(int n, Duration timeout) throws InterruptedException {
        List<ChangeEvent> events = new ArrayList<>(n);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events.size() < n) {
            long left = deadline - System.nanoTime();
            ChangeEvent event =
                    left <= 0
                            ? null
                            : queue.poll(Math.min(left, 1_000_000_000L), TimeUnit.NANOSECONDS);
            if (event == null && left > 0 && !failed()) {
                continue;
            }
            if (event == null) {
                throw new AssertionError(
                        "expected " + n + " events within " + timeout + ", got " + events);
            }
            events.add(event);
        }
        return events;
    }

    /** The events that have arrived so far and were not taken yet. */
    List<ChangeEvent> available() {
        List<ChangeEvent> events = new ArrayList<>();
        queue.drainTo(events);
        return events;
    }

    /** Returns whatever arrives within {@code quiet}: the test expects nothing more. */
    List<ChangeEvent> extra(Duration quiet) {
        try {
            await("nothing more within " + quiet)
                    .during(quiet)
                    .atMost(quiet.plusSeconds(1))
                    .until(queue::isEmpty);
        } catch (ConditionTimeoutException somethingArrived) {
            // returned below
        }
        List<ChangeEvent> extra = new ArrayList<>();
        queue.drainTo(extra);
        return extra;
    }

    private boolean failed() {
        try {
            if (!client.getJobStatus().get().isGloballyTerminalState()) {
                return false;
            }
            client.getJobExecutionResult().get();
            return true;
        } catch (Exception e) {
            throw new AssertionError("the job failed", e);
        }
    }

    JobClient client() {
        return client;
    }

    private void drain() {
        try {
            while (results.hasNext()) {
                queue.add(results.next());
            }
        } catch (RuntimeException e) {
            // the job was cancelled or failed; the test sees missing events
        }
    }

    @Override
    public void close() throws Exception {
        try {
            client.cancel().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // already finished or failed
        }
        await("job " + client.getJobID() + " ended")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> client.getJobStatus().get().isGloballyTerminalState());
        try {
            results.close();
        } catch (Exception e) {
            // the job is gone
        }
        drainer.join(10_000);
    }
}
