package dev.changeflow.cdc.log.debezium;

import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventTypeInfo;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.SourceInfo;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Turns Debezium's change records (a {@link SourceRecord} whose value is the {@code before} /
 * {@code after} / {@code source} / {@code op} / {@code ts_ms} envelope struct) into Changeflow
 * {@link ChangeEvent}s.
 *
 * <ul>
 *   <li>{@code op}: Debezium's {@code r}, {@code c}, {@code u}, {@code d} are kept; tombstones
 *       (null values) and other operations ({@code t} truncate, {@code m} message) are skipped.
 *   <li>{@code source}: connector {@code log}, {@code db}, {@code schema}, {@code table} and {@code
 *       ts_ms} from Debezium's source block; {@code snapshot} is true exactly for {@code r} events
 *       (Flink CDC's incremental snapshot marks them so in neither a stable nor a documented way);
 *       {@code position} from the database's {@link SourcePositionEncoder}; {@code txId} from
 *       Debezium's {@code txId} where present.
 *   <li>{@code ts_ms}: Debezium's envelope {@code ts_ms} (when the connector processed the change).
 *   <li>column values: decoded by {@link DebeziumValues}, then encoded by {@link
 *       dev.changeflow.schemas.ColumnValues} inside {@link ChangeEvent}.
 * </ul>
 *
 * <p>An update or delete without a full {@code before} row (PostgreSQL without {@code REPLICA
 * IDENTITY FULL}) fails with a message saying so; the PostgreSQL source checks replica identity
 * before starting, so this should not happen there.
 */
public final class DebeziumChangeEventDeserializer
        implements DebeziumDeserializationSchema<ChangeEvent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG =
            LoggerFactory.getLogger(DebeziumChangeEventDeserializer.class);

    private final SourcePositionEncoder positions;

    /**
     * @param positions how to read the comparable position from Debezium's source block
     */
    public DebeziumChangeEventDeserializer(SourcePositionEncoder positions) {
        this.positions = positions;
    }

    @Override
    public void deserialize(SourceRecord record, Collector<ChangeEvent> out) {
        ChangeEvent event = toChangeEvent(record);
        if (event != null) {
            out.collect(event);
        }
    }

    /**
     * Converts one record.
     *
     * @return the event, or {@code null} for tombstones and operations other than r/c/u/d
     * @throws IllegalArgumentException naming the table and the field that cannot be converted
     */
    public ChangeEvent toChangeEvent(SourceRecord record) {
        if (!(record.value() instanceof Struct)) {
            return null; // tombstone
        }
        Struct envelope = (Struct) record.value();
        Field opField = envelope.schema().field("op");
        if (opField == null) {
            LOG.debug("skipping a record that is not a change envelope: {}", record.topic());
            return null;
        }
        String op = envelope.getString("op");
        Struct source = envelope.getStruct("source");
        try {
            SourceInfo.Builder info =
                    SourceInfo.builder(
                                    Connector.LOG,
                                    source.getString("db"),
                                    optionalString(source, "schema"),
                                    source.getString("table"))
                            .tsMs(optionalLong(source, "ts_ms", 0L))
                            .snapshot("r".equals(op))
                            .position(positions.position(source))
                            .txId(optionalLong(source, "txId", null));
            long tsMs = optionalLong(envelope, "ts_ms", System.currentTimeMillis());
            Map<String, Object> before = DebeziumValues.toRow(envelope.getStruct("before"));
            Map<String, Object> after = DebeziumValues.toRow(envelope.getStruct("after"));
            switch (op) {
                case "r":
                    return ChangeEvent.read(info.build(), tsMs, after);
                case "c":
                    return ChangeEvent.create(info.build(), tsMs, after);
                case "u":
                    return ChangeEvent.update(info.build(), tsMs, before, after);
                case "d":
                    return ChangeEvent.delete(info.build(), tsMs, before);
                default:
                    LOG.debug("skipping Debezium op '{}' on {}", op, record.topic());
                    return null;
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot convert Debezium op '"
                            + op
                            + "' on "
                            + optionalString(source, "schema")
                            + "."
                            + source.getString("table")
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public TypeInformation<ChangeEvent> getProducedType() {
        return ChangeEventTypeInfo.INSTANCE;
    }

    private static String optionalString(Struct struct, String field) {
        return struct.schema().field(field) == null ? null : struct.getString(field);
    }

    private static Long optionalLong(Struct struct, String field, Long fallback) {
        if (struct.schema().field(field) == null) {
            return fallback;
        }
        Object value = struct.get(field);
        return value == null ? fallback : Long.valueOf(((Number) value).longValue());
    }
}
