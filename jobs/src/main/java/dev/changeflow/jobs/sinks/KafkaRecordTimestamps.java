package dev.changeflow.jobs.sinks;

/**
 * The Kafka timestamp of every record Changeflow writes: the time it is written.
 *
 * <p>A broker deletes a topic's segments by record timestamp ({@code retention.ms}, checked every
 * {@code log.retention.check.interval.ms}), so a record must never carry the time of what it
 * describes: a snapshot read (Flink CDC stamps it 0, i.e. 1970), a row last modified years ago (the
 * query method's timestamp column), a change read hours late by a catching-up job, or a window or
 * late order of the past would be deleted at the broker's next retention pass, before any consumer
 * read it. Kafka Connect with Debezium does the same: the source time lives in the envelope ({@code
 * source.ts_ms}, and {@code ts_ms} for the capture time), event time in the row.
 */
public final class KafkaRecordTimestamps {

    /**
     * A {@code null} timestamp makes the Kafka producer stamp the record with its clock when it is
     * sent (topics with {@code message.timestamp.type=LogAppendTime} use the broker's instead).
     */
    public static final Long WRITE_TIME = null;

    private KafkaRecordTimestamps() {}
}
