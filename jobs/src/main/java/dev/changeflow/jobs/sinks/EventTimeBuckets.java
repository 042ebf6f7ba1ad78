package dev.changeflow.jobs.sinks;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;

import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * Buckets elements by the date and hour of their own event time, Hive-style: {@code
 * dt=2025-01-01/hour=07}. Unlike Flink's {@code DateTimeBucketAssigner}, which uses the processing
 * time of the writer, the bucket of an element never depends on when it is written, so a replay
 * after a failure puts it where the first attempt did, and late data lands in the hour it belongs
 * to.
 */
public final class EventTimeBuckets<T> implements BucketAssigner<T, String> {

    private static final long serialVersionUID = 1L;

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("'dt='uuuu-MM-dd'/hour='HH");

    /** The event time of an element, epoch milliseconds. */
    @FunctionalInterface
    public interface EventTime<T> extends Serializable {
        long epochMillis(T element);
    }

    private final EventTime<T> eventTime;
    private final ZoneId zone;

    /** Buckets by {@code eventTime} in UTC. */
    public EventTimeBuckets(EventTime<T> eventTime) {
        this(eventTime, ZoneOffset.UTC);
    }

    /** Buckets by {@code eventTime} in {@code zone}'s local date and hour. */
    public EventTimeBuckets(EventTime<T> eventTime, ZoneId zone) {
        this.eventTime = Objects.requireNonNull(eventTime, "eventTime");
        this.zone = Objects.requireNonNull(zone, "zone");
    }

    @Override
    public String getBucketId(T element, Context context) {
        return bucketOf(eventTime.epochMillis(element));
    }

    /** The bucket of an event time: {@code dt=YYYY-MM-DD/hour=HH} relative to the base path. */
    public String bucketOf(long epochMillis) {
        return FORMAT.format(Instant.ofEpochMilli(epochMillis).atZone(zone));
    }

    @Override
    public SimpleVersionedSerializer<String> getSerializer() {
        return SimpleVersionedStringSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "EventTimeBuckets{dt=YYYY-MM-DD/hour=HH, zone=" + zone + "}";
    }
}
