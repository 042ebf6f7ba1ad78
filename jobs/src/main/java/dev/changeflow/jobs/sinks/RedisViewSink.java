package dev.changeflow.jobs.sinks;

import dev.changeflow.jobs.views.ViewUpdate;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import io.lettuce.core.ScriptOutputType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Keeps Redis views (one hash per row) up to date, exactly once in effect: every write runs a Lua
 * script that applies a change only if its source position is not older than the one the hash (or
 * the marker a delete left) holds, so replaying changes after a failure never moves a row backwards
 * and never resurrects a deleted one. Writes are pipelined on one connection per subtask (which
 * keeps them in order) and awaited at every checkpoint, so a checkpoint completes only when Redis
 * has applied everything before it.
 *
 * <p>Metrics per subtask: {@code viewWrites} (applied) and {@code staleViewWrites} (skipped as
 * older than the view).
 */
public final class RedisViewSink implements Sink<ViewUpdate> {

    private static final long serialVersionUID = 1L;
    private static final int MAX_PENDING = 500;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The script; one place, loaded from the classpath. */
    static final String SCRIPT = script();

    private final String redisUri;
    private final Duration deleteMarkerTtl;
    private final String invalidationChannel;

    /**
     * @param redisUri e.g. {@code redis://127.0.0.1:6379}
     * @param deleteMarkerTtl how long a delete's marker guards the row against older replays;
     *     longer than the longest replay (checkpoint interval plus restart time)
     * @param invalidationChannel a channel on which every changed key is published (cache
     *     invalidation), or {@code null} for none
     */
    public RedisViewSink(String redisUri, Duration deleteMarkerTtl, String invalidationChannel) {
        this.redisUri = redisUri;
        this.deleteMarkerTtl = deleteMarkerTtl;
        this.invalidationChannel = invalidationChannel == null ? "" : invalidationChannel;
    }

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<ViewUpdate> createWriter(InitContext context) {
        return new Writer(context.metricGroup());
    }

    @Override
    public SinkWriter<ViewUpdate> createWriter(WriterInitContext context) {
        return new Writer(context.metricGroup());
    }

    private final class Writer extends PipelinedRedisWriter<ViewUpdate, Long> {
        private final Counter applied;
        private final Counter stale;

        Writer(MetricGroup metrics) {
            super(redisUri, TIMEOUT, MAX_PENDING);
            this.applied = metrics.counter("viewWrites");
            this.stale = metrics.counter("staleViewWrites");
        }

        @Override
        public void write(ViewUpdate update, Context context) throws IOException {
            String[] args = new String[4 + update.fields().length];
            args[0] = update.delete() ? "d" : "u";
            args[1] = update.position();
            args[2] = Long.toString(Math.max(1, deleteMarkerTtl.toSeconds()));
            args[3] = invalidationChannel;
            System.arraycopy(update.fields(), 0, args, 4, update.fields().length);
            send(
                    commands.eval(
                            SCRIPT,
                            ScriptOutputType.INTEGER,
                            new String[] {update.key(), update.deleteMarkerKey()},
                            args));
        }

        @Override
        protected void answered(Long answer) {
            if (answer == 1L) {
                applied.inc();
            } else {
                stale.inc();
            }
        }

        @Override
        protected String purpose() {
            return "apply a view write";
        }
    }

    private static String script() {
        try (InputStream in =
                RedisViewSink.class.getResourceAsStream(
                        "/dev/changeflow/jobs/views/apply-change.lua")) {
            if (in == null) {
                throw new IllegalStateException("apply-change.lua is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
