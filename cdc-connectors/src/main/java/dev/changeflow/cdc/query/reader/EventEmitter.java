package dev.changeflow.cdc.query.reader;

import dev.changeflow.cdc.log.debezium.DeadLetteringDeserializer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventTypeInfo;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.SourceInfo;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.types.Either;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns a polled row into the source's output: {@link #changes()} fails the job on a value that
 * cannot be encoded, {@link #withDeadLetters()} emits a {@link DeadLetter} for it instead (as the
 * log sources' {@link DeadLetteringDeserializer} does) and keeps reading.
 */
public abstract class EventEmitter<T> implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EventEmitter.class);

    /** Emits change events; a value that cannot be encoded fails the job. */
    public static EventEmitter<ChangeEvent> changes() {
        return new EventEmitter<>() {
            private static final long serialVersionUID = 1L;

            @Override
            void emit(
                    SourceInfo source,
                    Map<String, Object> raw,
                    Function<SourceInfo, ChangeEvent> event,
                    ReaderOutput<ChangeEvent> out) {
                out.collect(event.apply(source));
            }

            @Override
            public TypeInformation<ChangeEvent> producedType() {
                return ChangeEventTypeInfo.INSTANCE;
            }
        };
    }

    /** Emits change events (right) and dead letters (left). */
    public static EventEmitter<Either<DeadLetter, ChangeEvent>> withDeadLetters() {
        return new EventEmitter<>() {
            private static final long serialVersionUID = 1L;

            @Override
            void emit(
                    SourceInfo source,
                    Map<String, Object> raw,
                    Function<SourceInfo, ChangeEvent> event,
                    ReaderOutput<Either<DeadLetter, ChangeEvent>> out) {
                ChangeEvent change;
                try {
                    change = event.apply(source);
                } catch (IllegalArgumentException e) {
                    DeadLetter letter =
                            new DeadLetter(
                                    e.getMessage(),
                                    DeadLetteringDeserializer.JOB,
                                    DeadLetter.originOf(source),
                                    source.position(),
                                    String.valueOf(raw).getBytes(StandardCharsets.UTF_8),
                                    System.currentTimeMillis());
                    LOG.warn(
                            "dead letter from {} at {}: {}",
                            letter.origin(),
                            letter.position(),
                            e.getMessage());
                    out.collect(Either.Left(letter));
                    return;
                }
                out.collect(Either.Right(change));
            }

            @Override
            public TypeInformation<Either<DeadLetter, ChangeEvent>> producedType() {
                return new EitherTypeInfo<>(
                        TypeInformation.of(DeadLetter.class), ChangeEventTypeInfo.INSTANCE);
            }
        };
    }

    /**
     * Emits the event {@code event} builds from {@code source}; {@code raw} is the row as read, for
     * a dead letter.
     */
    abstract void emit(
            SourceInfo source,
            Map<String, Object> raw,
            Function<SourceInfo, ChangeEvent> event,
            ReaderOutput<T> out);

    /** The type of the source's records. */
    public abstract TypeInformation<T> producedType();
}
