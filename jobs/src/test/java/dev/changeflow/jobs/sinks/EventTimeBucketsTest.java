package dev.changeflow.jobs.sinks;

import org.apache.flink.core.io.SimpleVersionedSerialization;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

class EventTimeBucketsTest {

    record Event(String id, long eventTimeMillis) {}

    private final EventTimeBuckets<Event> buckets = new EventTimeBuckets<>(Event::eventTimeMillis);

    @Test
    void bucketsByTheUtcDateAndHourOfTheElementsEventTime() {
        assertThat(bucket("2025-01-01T07:00:00Z")).isEqualTo("dt=2025-01-01/hour=07");
        assertThat(bucket("2025-01-01T07:59:59.999Z")).isEqualTo("dt=2025-01-01/hour=07");
        assertThat(bucket("2025-01-01T08:00:00Z")).isEqualTo("dt=2025-01-01/hour=08");
        assertThat(bucket("2024-12-31T23:30:00Z")).isEqualTo("dt=2024-12-31/hour=23");
        assertThat(bucket("2025-01-01T00:00:00Z")).isEqualTo("dt=2025-01-01/hour=00");
        assertThat(bucket("2024-02-29T13:05:00Z")).isEqualTo("dt=2024-02-29/hour=13");
        assertThat(bucket("1970-01-01T00:00:00Z")).isEqualTo("dt=1970-01-01/hour=00");
    }

    @Test
    void theBucketDoesNotDependOnWhenTheElementIsWritten() {
        Event event = new Event("a", Instant.parse("2025-03-04T05:06:07Z").toEpochMilli());
        // a processing-time assigner would read the context; this one never does
        assertThat(buckets.getBucketId(event, null)).isEqualTo("dt=2025-03-04/hour=05");
    }

    @Test
    void anotherZoneUsesItsLocalDateAndHour() {
        EventTimeBuckets<Event> berlin =
                new EventTimeBuckets<>(Event::eventTimeMillis, ZoneId.of("Europe/Berlin"));
        long millis = Instant.parse("2024-12-31T23:30:00Z").toEpochMilli();
        assertThat(berlin.bucketOf(millis)).isEqualTo("dt=2025-01-01/hour=00");
    }

    @Test
    void bucketIdsSurviveTheirSerializerAndTheAssignerIsSerializable() throws Exception {
        var serializer = buckets.getSerializer();
        String bucket = bucket("2025-01-01T07:00:00Z");
        byte[] bytes = SimpleVersionedSerialization.writeVersionAndSerialize(serializer, bucket);
        assertThat(SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, bytes))
                .isEqualTo(bucket);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream objects = new ObjectOutputStream(out)) {
            objects.writeObject(buckets);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            @SuppressWarnings("unchecked")
            EventTimeBuckets<Event> copy = (EventTimeBuckets<Event>) in.readObject();
            assertThat(copy.getBucketId(new Event("b", 0L), null))
                    .isEqualTo("dt=1970-01-01/hour=00");
        }
    }

    private String bucket(String instant) {
        return buckets.bucketOf(Instant.parse(instant).toEpochMilli());
    }
}
