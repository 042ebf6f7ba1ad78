package dev.changeflow.jobs.sinks;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.function.SerializableFunction;

import java.io.IOException;
import java.time.Duration;

/**
 * Publishes each element on a Redis pub/sub channel ({@code PUBLISH}), for live consumers such as a
 * dashboard. Pub/sub keeps nothing: a subscriber sees what is published while it listens. Delivery
 * is at least once while subscribed: every checkpoint waits until Redis acknowledged all pending
 * publishes, and a replay after a failure publishes again, so messages must carry an id to drop a
 * repeat by (the alerts job's alert id). Publishes are pipelined on one connection per subtask.
 */
public final class RedisPublishSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_PENDING = 1_000;

    private final String redisUri;
    private final String channel;
    private final SerializableFunction<T, String> message;

    /**
     * @param message the text published for an element (e.g. its JSON)
     */
    public RedisPublishSink(
            String redisUri, String channel, SerializableFunction<T, String> message) {
        this.redisUri = redisUri;
        this.channel = channel;
        this.message = message;
    }

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<T> createWriter(InitContext context) {
        return new Writer(context.metricGroup());
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new Writer(context.metricGroup());
    }

    private final class Writer extends PipelinedRedisWriter<T, Long> {
        private final Counter published;

        Writer(MetricGroup metrics) {
            super(redisUri, TIMEOUT, MAX_PENDING);
            published = metrics.counter("redisPublishes");
        }

        @Override
        public void write(T element, Context context) throws IOException {
            send(commands.publish(channel, message.apply(element)));
        }

        @Override
        protected void answered(Long subscribers) {
            published.inc();
        }

        @Override
        protected String purpose() {
            return "take a publish on " + channel;
        }
    }
}
