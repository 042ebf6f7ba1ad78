package dev.changeflow.schemas;

import javax.annotation.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An input that a job could not process, kept with everything needed to look at it and replay it:
 * why it was rejected, by which job, where it came from and the raw bytes as they arrived. Jobs
 * write dead letters to a dead-letter topic (see {@link DeadLetterJson}) and keep running; nothing
 * is dropped silently.
 *
 * <p>A Flink POJO (a record: Flink 1.19+ serializes records with its POJO serializer), so it
 * crosses the network and sits in state without Kryo.
 *
 * @param reason why the input was rejected, naming the field or the rule
 * @param job the job (and, where useful, the step) that rejected it, e.g. {@code ingest}
 * @param origin where the input came from: a CDC table ({@code log:shop.public.orders}) or a Kafka
 *     topic ({@code kafka:cdc.shop.public.orders})
 * @param position where in the origin: the source position (LSN, binlog position, sequence) for a
 *     table, {@code partition:offset} for a topic; {@code null} if unknown
 * @param payload the raw input (for CDC records, the Debezium record as JSON)
 * @param tsMs when the input was rejected, epoch milliseconds
 */
public record DeadLetter(
        String reason,
        String job,
        String origin,
        @Nullable String position,
        byte[] payload,
        long tsMs) {

    public DeadLetter {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(origin, "origin");
        payload = payload == null ? new byte[0] : payload;
    }

    /** A dead letter for a record read from Kafka. */
    public static DeadLetter fromKafka(
            String reason, String job, String topic, int partition, long offset, byte[] payload) {
        return new DeadLetter(
                reason,
                job,
                "kafka:" + topic,
                partition + ":" + offset,
                payload,
                System.currentTimeMillis());
    }

    /**
     * A dead letter for a change event {@code job} could not use: origin, position and the event.
     */
    public static DeadLetter ofChange(String reason, String job, ChangeEvent event) {
        return new DeadLetter(
                reason,
                job,
                originOf(event.source()),
                event.source().position(),
                ChangeEventJson.toBytes(event),
                System.currentTimeMillis());
    }

    /**
     * The origin of a change from a table: {@code <connector>:<db>.[<schema>.]<table>}, e.g. {@code
     * log:shop.public.orders}.
     */
    public static String originOf(
            Connector connector, String db, @Nullable String schema, String table) {
        String namespace = schema == null || schema.isEmpty() ? "" : schema + ".";
        return connector.jsonName() + ":" + db + "." + namespace + table;
    }

    /**
     * The origin of a change event's table, see {@link #originOf(Connector, String, String,
     * String)}.
     */
    public static String originOf(SourceInfo source) {
        return originOf(source.connector(), source.db(), source.schema(), source.table());
    }

    /** The payload as text, if it is valid UTF-8; otherwise {@code null}. */
    @Nullable
    public String payloadText() {
        var decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(payload)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DeadLetter)) {
            return false;
        }
        DeadLetter that = (DeadLetter) o;
        return tsMs == that.tsMs
                && reason.equals(that.reason)
                && job.equals(that.job)
                && origin.equals(that.origin)
                && Objects.equals(position, that.position)
                && Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, job, origin, position, tsMs) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "DeadLetter{reason="
                + reason
                + ", job="
                + job
                + ", origin="
                + origin
                + ", position="
                + position
                + ", payload="
                + payload.length
                + " bytes, tsMs="
                + tsMs
                + '}';
    }
}
