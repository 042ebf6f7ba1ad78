package dev.changeflow.cdc.log.debezium;

import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventTypeInfo;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Like {@link DebeziumChangeEventDeserializer}, but a record that cannot be converted becomes a
 * {@link DeadLetter} (left) instead of failing the job; converted records are the right side.
 *
 * <p>The dead letter names the table and the column that failed, carries the source position, and
 * holds the whole Debezium record value as JSON (Kafka Connect's {@link JsonConverter} without
 * schemas), so the row can be inspected and replayed. Only conversion errors are caught: a failure
 * to read from the database still fails the job.
 */
public final class DeadLetteringDeserializer
        implements DebeziumDeserializationSchema<Either<DeadLetter, ChangeEvent>> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetteringDeserializer.class);

    /** The job name written into dead letters from CDC sources. */
    public static final String JOB = "ingest";

    private final DebeziumChangeEventDeserializer changes;
    private final SourcePositionEncoder positions;
    private transient JsonConverter json;

    public DeadLetteringDeserializer(SourcePositionEncoder positions) {
        this.positions = positions;
        this.changes = new DebeziumChangeEventDeserializer(positions);
    }

    @Override
    public void deserialize(SourceRecord record, Collector<Either<DeadLetter, ChangeEvent>> out) {
        ChangeEvent event;
        try {
            event = changes.toChangeEvent(record);
        } catch (IllegalArgumentException e) {
            DeadLetter letter = deadLetter(record, e);
            LOG.warn(
                    "dead letter from {} at {}: {}",
                    letter.origin(),
                    letter.position(),
                    e.getMessage());
            out.collect(Either.Left(letter));
            return;
        }
        if (event != null) {
            out.collect(Either.Right(event));
        }
    }

    private DeadLetter deadLetter(SourceRecord record, IllegalArgumentException error) {
        Struct source = ((Struct) record.value()).getStruct("source");
        String schema = source.schema().field("schema") == null ? null : source.getString("schema");
        String origin =
                DeadLetter.originOf(
                        Connector.LOG, source.getString("db"), schema, source.getString("table"));
        String position;
        try {
            position = positions.position(source);
        } catch (RuntimeException e) {
            position = null;
        }
        return new DeadLetter(
                error.getMessage(),
                JOB,
                origin,
                position,
                recordJson(record),
                System.currentTimeMillis());
    }

    private byte[] recordJson(SourceRecord record) {
        try {
            if (json == null) {
                json = new JsonConverter();
                json.configure(Map.of("schemas.enable", "false"), false);
            }
            return json.fromConnectData(record.topic(), record.valueSchema(), record.value());
        } catch (RuntimeException e) {
            // the record could not even be written as JSON: keep Connect's own rendering of it
            return String.valueOf(record.value()).getBytes(StandardCharsets.UTF_8);
        }
    }

    @Override
    public TypeInformation<Either<DeadLetter, ChangeEvent>> getProducedType() {
        return new EitherTypeInfo<>(
                TypeInformation.of(DeadLetter.class), ChangeEventTypeInfo.INSTANCE);
    }
}
