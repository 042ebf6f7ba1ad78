package dev.changeflow.jobs.sources;

import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Reads change topics: each record's value as a {@link ChangeEvent} with its key; tombstones (null
 * values) are skipped, and a value that is not a valid envelope becomes a {@link DeadLetter} with
 * the reason, topic, partition, offset and the raw bytes, so the job keeps running.
 */
final class ChangeTopicDeserializer
        implements KafkaRecordDeserializationSchema<Either<DeadLetter, KafkaChange>> {

    private static final long serialVersionUID = 1L;

    private final String job;

    ChangeTopicDeserializer(String job) {
        this.job = job;
    }

    @Override
    public void deserialize(
            ConsumerRecord<byte[], byte[]> record, Collector<Either<DeadLetter, KafkaChange>> out) {
        if (record.value() == null) {
            return; // a tombstone: the delete before it carried the change
        }
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        ChangeEvent event;
        try {
            event = ChangeEventJson.fromBytes(record.value());
        } catch (RuntimeException e) {
            out.collect(
                    Either.Left(
                            DeadLetter.fromKafka(
                                    "not a change event: " + e.getMessage(),
                                    job,
                                    record.topic(),
                                    record.partition(),
                                    record.offset(),
                                    record.value())));
            return;
        }
        out.collect(Either.Right(new KafkaChange(key, event)));
    }

    @Override
    public TypeInformation<Either<DeadLetter, KafkaChange>> getProducedType() {
        return new EitherTypeInfo<>(
                TypeInformation.of(DeadLetter.class), TypeInformation.of(KafkaChange.class));
    }
}
