package dev.changeflow.schemas;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

import javax.annotation.Nullable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and writes {@link ChangeEvent}s as Debezium-shaped JSON, the form Flink SQL's stock {@code
 * debezium-json} format and Kafka Connect sinks read:
 *
 * <pre>{@code
 * {"before":null,"after":{"id":1,"name":"a"},
 *  "source":{"connector":"log","db":"shop","schema":"public","table":"orders",
 *            "ts_ms":1704164645000,"snapshot":"false",
 *            "position":"00000000/016B3748","txId":771},
 *  "op":"c","ts_ms":1704164645123}
 * }</pre>
 *
 * <p>Writing always emits every field, in the order above, with no {@code schema}/{@code payload}
 * wrapper; {@code source.snapshot} is written as Debezium writes it, the string {@code "true"} or
 * {@code "false"}, and {@code source.txId} as a number or {@code null}. Rows are written in column
 * order.
 *
 * <p>Reading is tolerant where Debezium evolves and strict where the contract matters: unknown
 * fields are ignored at every level, a {@code {"schema":...,"payload":{...}}} wrapper is unwrapped,
 * missing {@code before}/{@code after}/{@code source.schema}/{@code source.snapshot}/{@code
 * source.txId} read as null/false, and {@code source.snapshot} is accepted as a JSON boolean or any
 * of Debezium's string values ({@code true}, {@code false}, {@code last}, {@code first}, {@code
 * first_in_data_collection}, {@code last_in_data_collection}, {@code incremental}). Anything else
 * that is wrong (not JSON, duplicate field names, missing or unknown {@code op}, {@code after}
 * missing for {@code c}, a field of the wrong JSON type, ...) throws {@link
 * ChangeEventFormatException} with a message naming the field.
 *
 * <p>All methods are thread-safe.
 */
public final class ChangeEventJson {

    static final String BEFORE = "before";
    static final String AFTER = "after";
    static final String SOURCE = "source";
    static final String OP = "op";
    static final String TS_MS = "ts_ms";
    static final String CONNECTOR = "connector";
    static final String DB = "db";
    static final String SCHEMA = "schema";
    static final String TABLE = "table";
    static final String SNAPSHOT = "snapshot";
    static final String POSITION = "position";
    static final String TX_ID = "txId";
    private static final String PAYLOAD = "payload";

    /** Debezium's {@code source.snapshot} values that mean the row comes from a snapshot. */
    private static final Set<String> SNAPSHOT_TRUE =
            Set.of(
                    "true",
                    "last",
                    "first",
                    "first_in_data_collection",
                    "last_in_data_collection",
                    "incremental");

    private static final String SNAPSHOT_VALUES =
            "false, " + String.join(", ", new TreeSet<>(SNAPSHOT_TRUE));

    private static final JsonFactory FACTORY =
            JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private ChangeEventJson() {}

    // ------------------------------------------------------------------ writing

    /** Writes the event as UTF-8 JSON bytes (a Kafka record value). */
    public static byte[] toBytes(ChangeEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            writeEvent(generator, event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the event as a JSON string. */
    public static String toJson(ChangeEvent event) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            writeEvent(generator, event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Writes a record key, as returned by {@link ChangeEvent#key(List)}, as UTF-8 JSON bytes, e.g.
     * {@code {"id":42}}.
     */
    public static byte[] keyToBytes(Map<String, ?> key) {
        return keyToJson(key).getBytes(StandardCharsets.UTF_8);
    }

    /** Writes a record key as a JSON string. */
    public static String keyToJson(Map<String, ?> key) {
        Map<String, Object> values = ColumnValues.toJsonRow(key);
        if (values == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        Writer out = new StringWriter(64);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            writeValue(generator, values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeEvent(JsonGenerator g, ChangeEvent event) throws IOException {
        g.writeStartObject();
        g.writeFieldName(BEFORE);
        writeValue(g, event.before());
        g.writeFieldName(AFTER);
        writeValue(g, event.after());
        g.writeFieldName(SOURCE);
        writeSource(g, event.source());
        g.writeStringField(OP, event.op().code());
        g.writeNumberField(TS_MS, event.tsMs());
        g.writeEndObject();
    }

    private static void writeSource(JsonGenerator g, SourceInfo source) throws IOException {
        g.writeStartObject();
        g.writeStringField(CONNECTOR, source.connector().jsonName());
        g.writeStringField(DB, source.db());
        g.writeStringField(SCHEMA, source.schema());
        g.writeStringField(TABLE, source.table());
        g.writeNumberField(TS_MS, source.tsMs());
        g.writeStringField(SNAPSHOT, Boolean.toString(source.snapshot()));
        g.writeStringField(POSITION, source.position());
        g.writeFieldName(TX_ID);
        if (source.txId() == null) {
            g.writeNull();
        } else {
            g.writeNumber(source.txId());
        }
        g.writeEndObject();
    }

    /** Writes a value of the JSON value model (see {@link ColumnValues}). */
    private static void writeValue(JsonGenerator g, @Nullable Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String) {
            g.writeString((String) value);
        } else if (value instanceof Long) {
            g.writeNumber((Long) value);
        } else if (value instanceof BigDecimal) {
            g.writeNumber((BigDecimal) value);
        } else if (value instanceof Boolean) {
            g.writeBoolean((Boolean) value);
        } else if (value instanceof BigInteger) {
            g.writeNumber((BigInteger) value);
        } else if (value instanceof Map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                g.writeFieldName((String) entry.getKey());
                writeValue(g, entry.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof List) {
            g.writeStartArray();
            for (Object element : (List<?>) value) {
                writeValue(g, element);
            }
            g.writeEndArray();
        } else {
            throw new IllegalStateException(
                    "not a JSON model value: " + value.getClass().getName());
        }
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads an event from UTF-8 JSON bytes.
     *
     * @throws ChangeEventFormatException if the bytes are not a valid change event
     */
    public static ChangeEvent fromBytes(byte[] json) {
        if (json == null) {
            throw new ChangeEventFormatException(
                    "message is null (a Kafka tombstone carries no change event)");
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            return toEvent(parseObject(parser));
        } catch (IOException e) {
            throw notJson(e);
        }
    }

    /**
     * Reads an event from a JSON string.
     *
     * @throws ChangeEventFormatException if the text is not a valid change event
     */
    public static ChangeEvent fromJson(String json) {
        if (json == null) {
            throw new ChangeEventFormatException("message is null");
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            return toEvent(parseObject(parser));
        } catch (IOException e) {
            throw notJson(e);
        }
    }

    /**
     * Reads a record key written by {@link #keyToBytes(Map)}.
     *
     * @return the key columns in their JSON order, as an unmodifiable map
     * @throws ChangeEventFormatException if the bytes are not a JSON object
     */
    public static Map<String, Object> keyFromBytes(byte[] json) {
        if (json == null) {
            throw new ChangeEventFormatException("key is null");
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            return ColumnValues.toJsonRow(parseObject(parser));
        } catch (IOException e) {
            throw notJson(e);
        }
    }

    private static ChangeEventFormatException notJson(IOException e) {
        String message =
                e instanceof JsonProcessingException
                        ? ((JsonProcessingException) e).getOriginalMessage()
                                + locationOf((JsonProcessingException) e)
                        : e.getMessage();
        return new ChangeEventFormatException("not valid JSON: " + message, e);
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null
                ? ""
                : " (line "
                        + e.getLocation().getLineNr()
                        + ", column "
                        + e.getLocation().getColumnNr()
                        + ")";
    }

    private static Map<String, Object> parseObject(JsonParser parser) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw new ChangeEventFormatException("empty input, expected a JSON object");
        }
        Object value = parseValue(parser, first);
        if (!(value instanceof Map)) {
            throw new ChangeEventFormatException(
                    "expected a JSON object at top level, got " + jsonType(value));
        }
        if (parser.nextToken() != null) {
            throw new ChangeEventFormatException(
                    "trailing content after the JSON object at line "
                            + parser.currentLocation().getLineNr()
                            + ", column "
                            + parser.currentLocation().getColumnNr());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) value;
        return object;
    }

    @Nullable
    private static Object parseValue(JsonParser p, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT:
                Map<String, Object> object = new LinkedHashMap<>();
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    object.put(name, parseValue(p, p.nextToken()));
                }
                return object;
            case START_ARRAY:
                List<Object> array = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    array.add(parseValue(p, t));
                }
                return array;
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? ColumnValues.toJsonValue(p.getBigIntegerValue())
                        : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                // exact: parsed from the text, never through double
                return ColumnValues.toJsonValue(p.getDecimalValue());
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new ChangeEventFormatException("unexpected JSON token " + token);
        }
    }

    @SuppressWarnings("unchecked")
    private static ChangeEvent toEvent(Map<String, Object> root) {
        if (!root.containsKey(OP) && root.get(PAYLOAD) instanceof Map) {
            root = (Map<String, Object>) root.get(PAYLOAD);
        }
        Op op = op(root);
        Map<String, Object> before = optionalRow(root, BEFORE);
        Map<String, Object> after = optionalRow(root, AFTER);
        long tsMs = requiredLong(root, TS_MS, TS_MS);
        Map<String, Object> sourceFields = requiredObject(root, SOURCE);
        SourceInfo source = source(sourceFields);
        if (op.hasAfter() && after == null) {
            throw new ChangeEventFormatException(
                    "field 'after' is "
                            + (root.containsKey(AFTER) ? "null" : "missing")
                            + " but op '"
                            + op.code()
                            + "' requires the new row");
        }
        if (op.hasBefore() && before == null) {
            throw new ChangeEventFormatException(
                    "field 'before' is "
                            + (root.containsKey(BEFORE) ? "null" : "missing")
                            + " but op '"
                            + op.code()
                            + "' requires the old row (Flink's debezium-json rejects it too)");
        }
        try {
            return new ChangeEvent(before, after, source, op, tsMs);
        } catch (IllegalArgumentException e) {
            throw new ChangeEventFormatException("invalid change event: " + e.getMessage(), e);
        }
    }

    private static Op op(Map<String, Object> root) {
        if (!root.containsKey(OP)) {
            throw new ChangeEventFormatException("missing field 'op'");
        }
        Object op = root.get(OP);
        if (!(op instanceof String)) {
            throw new ChangeEventFormatException(
                    "field 'op' must be a string, got " + jsonType(op));
        }
        try {
            return Op.fromCode((String) op);
        } catch (IllegalArgumentException e) {
            throw new ChangeEventFormatException("field 'op': " + e.getMessage(), e);
        }
    }

    private static SourceInfo source(Map<String, Object> fields) {
        Connector connector;
        try {
            connector =
                    Connector.fromJsonName(requiredString(fields, CONNECTOR, "source.connector"));
        } catch (IllegalArgumentException e) {
            throw new ChangeEventFormatException("field 'source.connector': " + e.getMessage(), e);
        }
        String db = requiredString(fields, DB, "source.db");
        String schema = optionalString(fields, SCHEMA, "source.schema");
        String table = requiredString(fields, TABLE, "source.table");
        long tsMs = requiredLong(fields, TS_MS, "source.ts_ms");
        boolean snapshot = snapshot(fields.get(SNAPSHOT));
        String position = requiredString(fields, POSITION, "source.position");
        Object txId = fields.get(TX_ID);
        if (txId != null && !(txId instanceof Long)) {
            throw new ChangeEventFormatException(
                    "field 'source.txId' must be a 64-bit integer or null, got " + jsonType(txId));
        }
        try {
            return new SourceInfo(
                    connector, db, schema, table, tsMs, snapshot, position, (Long) txId);
        } catch (IllegalArgumentException e) {
            throw new ChangeEventFormatException("invalid change event: " + e.getMessage(), e);
        }
    }

    private static boolean snapshot(@Nullable Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean) {
            return (Boolean) value;
        }
        if ("false".equals(value)) {
            return false;
        }
        if (value instanceof String && SNAPSHOT_TRUE.contains(value)) {
            return true;
        }
        throw new ChangeEventFormatException(
                "field 'source.snapshot' must be a boolean or one of Debezium's values "
                        + SNAPSHOT_VALUES
                        + "; got "
                        + describe(value));
    }

    @Nullable
    @SuppressWarnings("unchecked")
    private static Map<String, Object> optionalRow(Map<String, Object> object, String field) {
        Object value = object.get(field);
        if (value == null || value instanceof Map) {
            return (Map<String, Object>) value;
        }
        throw new ChangeEventFormatException(
                "field '" + field + "' must be an object or null, got " + jsonType(value));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> requiredObject(Map<String, Object> object, String field) {
        Object value = required(object, field, field);
        if (value instanceof Map) {
            return (Map<String, Object>) value;
        }
        throw new ChangeEventFormatException(
                "field '" + field + "' must be an object, got " + jsonType(value));
    }

    private static String requiredString(Map<String, Object> object, String field, String path) {
        Object value = required(object, field, path);
        if (value instanceof String) {
            return (String) value;
        }
        throw new ChangeEventFormatException(
                "field '" + path + "' must be a string, got " + jsonType(value));
    }

    @Nullable
    private static String optionalString(Map<String, Object> object, String field, String path) {
        Object value = object.get(field);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw new ChangeEventFormatException(
                "field '" + path + "' must be a string or null, got " + jsonType(value));
    }

    private static long requiredLong(Map<String, Object> object, String field, String path) {
        Object value = required(object, field, path);
        if (value instanceof Long) {
            return (Long) value;
        }
        throw new ChangeEventFormatException(
                "field '"
                        + path
                        + "' must be an integer (epoch milliseconds), got "
                        + describe(value));
    }

    private static Object required(Map<String, Object> object, String field, String path) {
        Object value = object.get(field);
        if (value == null) {
            throw new ChangeEventFormatException(
                    (object.containsKey(field)
                            ? "field '" + path + "' is null"
                            : "missing field '" + path + "'"));
        }
        return value;
    }

    private static String describe(Object value) {
        return value instanceof String
                ? "string '" + value + "'"
                : jsonType(value) + (value instanceof Number ? " " + value : "");
    }

    private static String jsonType(@Nullable Object value) {
        if (value == null) {
            return "null";
        } else if (value instanceof String) {
            return "string";
        } else if (value instanceof Boolean) {
            return "boolean";
        } else if (value instanceof Number) {
            return "number";
        } else if (value instanceof List) {
            return "array";
        } else {
            return "object";
        }
    }
}
