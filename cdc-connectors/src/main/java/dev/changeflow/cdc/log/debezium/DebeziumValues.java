package dev.changeflow.cdc.log.debezium;

import dev.changeflow.cdc.config.PostgresHstore;
import dev.changeflow.schemas.JsonText;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import javax.annotation.Nullable;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Converts the values of a Debezium (Kafka Connect) row into the Java values that {@link
 * dev.changeflow.schemas.ColumnValues} maps to the change-event contract, decoding Debezium's
 * logical types by their schema name:
 *
 * <table>
 *   <caption>Debezium logical type to Java value</caption>
 *   <tr><th>Debezium schema name</th><th>Connect value</th><th>Java value</th></tr>
 *   <tr><td>{@code org.apache.kafka.connect.data.Decimal}</td><td>BigDecimal</td><td>BigDecimal</td></tr>
 *   <tr><td>{@code io.debezium.data.VariableScaleDecimal}</td><td>struct(scale, value)</td><td>BigDecimal</td></tr>
 *   <tr><td>{@code io.debezium.time.Date}, Connect {@code Date}</td><td>epoch days / Date</td><td>LocalDate</td></tr>
 *   <tr><td>{@code io.debezium.time.Timestamp}, {@code MicroTimestamp}, {@code NanoTimestamp},
 *       Connect {@code Timestamp}</td><td>epoch milli/micro/nanos</td><td>LocalDateTime</td></tr>
 *   <tr><td>{@code io.debezium.time.ZonedTimestamp}</td><td>ISO-8601 text</td><td>Instant (UTC)</td></tr>
 *   <tr><td>{@code io.debezium.time.Time}, {@code MicroTime}, {@code NanoTime}, Connect {@code
 *       Time}</td><td>milli/micro/nanos of day</td><td>LocalTime</td></tr>
 *   <tr><td>{@code io.debezium.time.ZonedTime}</td><td>ISO-8601 text</td><td>OffsetTime</td></tr>
 *   <tr><td>{@code io.debezium.data.Json}</td><td>text</td><td>{@link JsonText}</td></tr>
 *   <tr><td>{@code io.debezium.data.Uuid}</td><td>text</td><td>String</td></tr>
 *   <tr><td>any {@code BYTES}</td><td>ByteBuffer / byte[]</td><td>byte[]</td></tr>
 *   <tr><td>any {@code ARRAY}</td><td>List</td><td>List of converted elements</td></tr>
 * </table>
 *
 * <p>Everything else (integers, booleans, floating point, text, enums, {@code
 * io.debezium.time.MicroDuration} as a number of microseconds) passes through unchanged.
 */
public final class DebeziumValues {

    static final String CONNECT_DECIMAL = "org.apache.kafka.connect.data.Decimal";
    static final String CONNECT_DATE = "org.apache.kafka.connect.data.Date";
    static final String CONNECT_TIME = "org.apache.kafka.connect.data.Time";
    static final String CONNECT_TIMESTAMP = "org.apache.kafka.connect.data.Timestamp";
    static final String VARIABLE_SCALE_DECIMAL = "io.debezium.data.VariableScaleDecimal";
    static final String DATE = "io.debezium.time.Date";
    static final String TIMESTAMP = "io.debezium.time.Timestamp";
    static final String MICRO_TIMESTAMP = "io.debezium.time.MicroTimestamp";
    static final String NANO_TIMESTAMP = "io.debezium.time.NanoTimestamp";
    static final String ZONED_TIMESTAMP = "io.debezium.time.ZonedTimestamp";
    static final String TIME = "io.debezium.time.Time";
    static final String MICRO_TIME = "io.debezium.time.MicroTime";
    static final String NANO_TIME = "io.debezium.time.NanoTime";
    static final String ZONED_TIME = "io.debezium.time.ZonedTime";
    static final String JSON = "io.debezium.data.Json";

    /** The schema parameter {@code datatype.propagate.source.type} adds: the column's type name. */
    public static final String SOURCE_COLUMN_TYPE = "__debezium.source.column.type";

    private static final com.fasterxml.jackson.databind.ObjectMapper HSTORE_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    static final String UUID = "io.debezium.data.Uuid";

    private DebeziumValues() {}

    /**
     * Converts a Debezium row struct to a map from column name to Java value, in column order.
     *
     * @return {@code null} if {@code row} is null
     * @throws IllegalArgumentException naming the column whose value cannot be decoded
     */
    @Nullable
    public static Map<String, Object> toRow(@Nullable Struct row) {
        if (row == null) {
            return null;
        }
        Map<String, Object> columns = new LinkedHashMap<>();
        for (Field field : row.schema().fields()) {
            try {
                columns.put(field.name(), toJava(field.schema(), row.get(field)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "column '"
                                + field.name()
                                + "' of Debezium type "
                                + describe(field.schema())
                                + ": "
                                + e.getMessage(),
                        e);
            }
        }
        return columns;
    }

    /**
     * Converts one Debezium value of the given schema to a Java value.
     *
     * @throws IllegalArgumentException if a logical type's value has an unexpected form
     */
    @Nullable
    public static Object toJava(Schema schema, @Nullable Object value) {
        if (value == null) {
            return null;
        }
        String name = schema.name();
        if (JSON.equals(name) && isHstore(schema)) {
            return hstore((String) value);
        }
        if (name != null) {
            Object logical = logical(name, value);
            if (logical != null) {
                return logical;
            }
        }
        switch (schema.type()) {
            case BYTES:
                return bytes(value);
            case ARRAY:
                return array(schema.valueSchema(), (List<?>) value);
            case STRUCT:
                return toRow((Struct) value);
            case MAP:
                return map(schema.valueSchema(), (Map<?, ?>) value);
            default:
                return value;
        }
    }

    @Nullable
    private static Object logical(String name, Object value) {
        switch (name) {
            case CONNECT_DECIMAL:
                return value; // Connect already hands out a BigDecimal
            case VARIABLE_SCALE_DECIMAL:
                return variableScaleDecimal((Struct) value);
            case DATE:
                return LocalDate.ofEpochDay(((Number) value).longValue());
            case CONNECT_DATE:
                return LocalDate.ofInstant(((java.util.Date) value).toInstant(), ZoneOffset.UTC);
            case TIMESTAMP:
                return epoch(((Number) value).longValue(), TimeUnit.MILLISECONDS);
            case MICRO_TIMESTAMP:
                return epoch(((Number) value).longValue(), TimeUnit.MICROSECONDS);
            case NANO_TIMESTAMP:
                return epoch(((Number) value).longValue(), TimeUnit.NANOSECONDS);
            case CONNECT_TIMESTAMP:
                return LocalDateTime.ofInstant(
                        ((java.util.Date) value).toInstant(), ZoneOffset.UTC);
            case ZONED_TIMESTAMP:
                return OffsetDateTime.parse((String) value, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                        .toInstant();
            case TIME:
                return timeOfDay(((Number) value).longValue(), TimeUnit.MILLISECONDS);
            case MICRO_TIME:
                return timeOfDay(((Number) value).longValue(), TimeUnit.MICROSECONDS);
            case NANO_TIME:
                return timeOfDay(((Number) value).longValue(), TimeUnit.NANOSECONDS);
            case CONNECT_TIME:
                return LocalTime.ofNanoOfDay(
                        TimeUnit.MILLISECONDS.toNanos(((java.util.Date) value).getTime()));
            case ZONED_TIME:
                return OffsetTime.parse((String) value, DateTimeFormatter.ISO_OFFSET_TIME);
            case JSON:
                return new JsonText((String) value);
            case UUID:
                return value.toString();
            default:
                return null;
        }
    }

    private static BigDecimal variableScaleDecimal(Struct struct) {
        Integer scale = struct.getInt32("scale");
        byte[] unscaled = bytes(struct.get("value"));
        return new BigDecimal(new BigInteger(unscaled), scale == null ? 0 : scale);
    }

    private static LocalDateTime epoch(long amount, TimeUnit unit) {
        long nanosPerUnit = unit.toNanos(1);
        long perSecond = TimeUnit.SECONDS.toNanos(1) / nanosPerUnit;
        long seconds = Math.floorDiv(amount, perSecond);
        long nanos = Math.floorMod(amount, perSecond) * nanosPerUnit;
        return LocalDateTime.ofInstant(Instant.ofEpochSecond(seconds, nanos), ZoneOffset.UTC);
    }

    private static LocalTime timeOfDay(long amount, TimeUnit unit) {
        return LocalTime.ofNanoOfDay(unit.toNanos(amount));
    }

    private static byte[] bytes(Object value) {
        if (value instanceof byte[]) {
            return (byte[]) value;
        }
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static List<Object> array(Schema elementSchema, List<?> values) {
        List<Object> list = new ArrayList<>(values.size());
        for (Object element : values) {
            list.add(toJava(elementSchema, element));
        }
        return Collections.unmodifiableList(list);
    }

    private static Map<Object, Object> map(Schema valueSchema, Map<?, ?> values) {
        Map<Object, Object> map = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : values.entrySet()) {
            map.put(entry.getKey(), toJava(valueSchema, entry.getValue()));
        }
        return map;
    }

    /**
     * Debezium's {@code hstore.handling.mode=json} renders an hstore as a JSON string, like a json
     * column; the source type propagated into the schema ({@link #SOURCE_COLUMN_TYPE}) tells them
     * apart. ({@code map} mode would give a map, but Debezium 1.9 turns the map the JDBC driver
     * returns for snapshot rows into null.)
     */
    private static boolean isHstore(Schema schema) {
        Map<String, String> parameters = schema.parameters();
        return parameters != null && "hstore".equalsIgnoreCase(parameters.get(SOURCE_COLUMN_TYPE));
    }

    /** An hstore's JSON rendering as a map in PostgreSQL's key order (TYPES.md). */
    private static Map<String, Object> hstore(String json) {
        try {
            Map<?, ?> map = HSTORE_JSON.readValue(json, Map.class);
            return PostgresHstore.ordered(map);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("hstore value is not a JSON object: " + json, e);
        }
    }

    private static String describe(Schema schema) {
        return schema.name() != null ? schema.name() : schema.type().getName();
    }
}
