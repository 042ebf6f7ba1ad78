package dev.changeflow.cdc.log;

import dev.changeflow.schemas.ChangeEvent;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.awaitility.core.ConditionTimeoutException;

import javax.annotation.Nullable;

import java.nio.file.Path;
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
public final class RunningJob implements AutoCloseable {

    /**
     * The MiniCluster the source ITs share per class ({@code @RegisterExtension static}): one
     * TaskManager with two slots, as a small cluster would run a source and its sink.
     */
    public static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }

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
    public static RunningJob start(Source<ChangeEvent, ?, ?> source) throws Exception {
        return with(source).start();
    }

    /** Runs {@code source}, passing its stream through {@code pipeline} before collecting it. */
    public static RunningJob start(
            Source<ChangeEvent, ?, ?> source,
            Function<DataStream<ChangeEvent>, DataStream<ChangeEvent>> pipeline,
            int parallelism,
            int restarts)
            throws Exception {
        return with(source).pipeline(pipeline).parallelism(parallelism).restarts(restarts).start();
    }

    /**
     * Runs {@code source} with parallelism 1, restoring the state of {@code savepoint} (a path
     * returned by {@link #stopWithSavepoint(Path)}).
     */
    public static RunningJob startFromSavepoint(Source<ChangeEvent, ?, ?> source, String savepoint)
            throws Exception {
        // The collect sink keeps the results it had not handed out in its state: restored, they
        // would arrive a second time. A differently named operator in front of it gives the new
        // sink another id, so only the source's state is restored.
        return with(source)
                .pipeline(stream -> stream.map(new Identity()).uid("after-restore"))
                .savepoint(savepoint)
                .start();
    }

    private static final class Identity implements MapFunction<ChangeEvent, ChangeEvent> {
        @Override
        public ChangeEvent map(ChangeEvent event) {
            return event;
        }
    }

    /** A job of {@code source} to configure and {@link Options#start()}. */
    public static Options with(Source<ChangeEvent, ?, ?> source) {
        return new Options(source);
    }

    /**
     * How the job runs: parallelism 1, no restarts, checkpoints every 500 ms, no savepoint, unless
     * set.
     */
    public static final class Options {
        private final Source<ChangeEvent, ?, ?> source;
        private Function<DataStream<ChangeEvent>, DataStream<ChangeEvent>> pipeline = s -> s;
        private int parallelism = 1;
        private int restarts;
        private Duration checkpointInterval = Duration.ofMillis(500);
        private @Nullable String savepoint;

        private Options(Source<ChangeEvent, ?, ?> source) {
            this.source = source;
        }

        /** Passes the source's stream through {@code pipeline} before collecting it. */
        public Options pipeline(
                Function<DataStream<ChangeEvent>, DataStream<ChangeEvent>> pipeline) {
            this.pipeline = pipeline;
            return this;
        }

        public Options parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** Fixed-delay restarts (500 ms apart); 0 fails the job on the first failure. */
        public Options restarts(int restarts) {
            this.restarts = restarts;
            return this;
        }

        /** Periodic checkpoints; a very long interval leaves checkpoints to the test. */
        public Options checkpointInterval(Duration interval) {
            this.checkpointInterval = interval;
            return this;
        }

        /** Restores the state of {@code savepoint}, ignoring state no operator claims. */
        public Options savepoint(@Nullable String savepoint) {
            this.savepoint = savepoint;
            return this;
        }

        public RunningJob start() throws Exception {
            Configuration conf = new Configuration();
            if (savepoint != null) {
                conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
                conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
            }
            if (restarts == 0) {
                conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            } else {
                conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
                conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, restarts);
                conf.set(
                        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                        Duration.ofMillis(500));
            }
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(parallelism);
            env.enableCheckpointing(checkpointInterval.toMillis());
            DataStream<ChangeEvent> stream =
                    pipeline.apply(
                            env.fromSource(source, WatermarkStrategy.noWatermarks(), "log-source")
                                    .uid("cdc-source"));
            CloseableIterator<ChangeEvent> results = stream.collectAsync();
            JobClient client = env.executeAsync("log-source-it");
            return new RunningJob(client, results);
        }
    }

    /** Waits for the next {@code n} events. */
    public List<ChangeEvent> take(int n, Duration timeout) throws InterruptedException {
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
    public List<ChangeEvent> available() {
        List<ChangeEvent> events = new ArrayList<>();
        queue.drainTo(events);
        return events;
    }

    /** Returns whatever arrives within {@code quiet}: the test expects nothing more. */
    public List<ChangeEvent> extra(Duration quiet) {
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

    public JobClient client() {
        return client;
    }

    /**
     * Stops the job with a savepoint in {@code dir} (sources stop, the job finishes) and waits for
     * its end; events emitted before the savepoint stay available to {@link #take}.
     *
     * @return the savepoint's path, for {@link #startFromSavepoint}
     */
    public String stopWithSavepoint(Path dir) throws Exception {
        String path =
                client.stopWithSavepoint(
                                false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
        await("job " + client.getJobID() + " stopped")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> client.getJobStatus().get().isGloballyTerminalState());
        drainer.join(10_000);
        return path;
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
