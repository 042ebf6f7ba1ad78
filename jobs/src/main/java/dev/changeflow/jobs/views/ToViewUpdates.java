package dev.changeflow.jobs.views;

import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.Op;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Turns changes into view writes: the hash key from the table and the record key (the primary key),
 * the row's columns as hash fields. Column values are stored as text: strings as they are, numbers
 * and booleans in their JSON form, dates and times as in the envelope, arrays and objects as JSON;
 * NULL columns are left out. Each hash also holds {@code _position}, {@code _op} and {@code _ts_ms}
 * of the change that wrote it.
 *
 * <p>Changes without a key (a table without a primary key) cannot be kept as a view and go to the
 * dead letters, as do records that were not change events.
 */
public final class ToViewUpdates
        extends ProcessFunction<Either<DeadLetter, KafkaChange>, ViewUpdate> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Records that cannot become view writes. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private final String keyPrefix;

    /**
     * @param keyPrefix the first part of every hash key, e.g. {@code view}
     */
    public ToViewUpdates(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    @Override
    public void processElement(
            Either<DeadLetter, KafkaChange> value, Context ctx, Collector<ViewUpdate> out) {
        if (value.isLeft()) {
            ctx.output(DEAD_LETTERS, value.left());
            return;
        }
        ChangeEvent event = value.right().event();
        String recordKey = value.right().key();
        if (recordKey == null) {
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetter.ofChange(
                            "a view needs a primary key; the change has no record key",
                            "views",
                            event));
            return;
        }
        out.collect(toUpdate(keyPrefix, recordKey, event));
    }

    /** The view write for {@code event} whose record key is {@code recordKey}. */
    static ViewUpdate toUpdate(String keyPrefix, String recordKey, ChangeEvent event) {
        String key = keyPrefix + ":" + event.source().table() + ":{" + keyText(recordKey) + "}";
        if (event.op() == Op.DELETE) {
            return new ViewUpdate(key, true, event.source().position(), new String[0]);
        }
        List<String> fields = new ArrayList<>();
        fields.add("_op");
        fields.add(event.op().code());
        fields.add("_ts_ms");
        fields.add(Long.toString(event.source().tsMs()));
        for (Map.Entry<String, Object> column : event.after().entrySet()) {
            if (column.getValue() != null) {
                fields.add(column.getKey());
                fields.add(text(column.getValue()));
            }
        }
        return new ViewUpdate(key, false, event.source().position(), fields.toArray(new String[0]));
    }

    /** {@code {"id":42}} -> {@code 42}; composite keys joined by {@code :} in key order. */
    static String keyText(String recordKey) {
        Map<String, Object> key =
                ChangeEventJson.keyFromBytes(recordKey.getBytes(StandardCharsets.UTF_8));
        StringJoiner joined = new StringJoiner(":");
        for (Object part : key.values()) {
            joined.add(text(part));
        }
        return joined.toString();
    }

    /**
     * A column value as a view field holds it: strings as they are, decimals without exponent,
     * arrays and objects as JSON, the rest in its JSON form.
     */
    public static String text(Object value) {
        if (value instanceof String) {
            return (String) value;
        }
        if (value instanceof BigDecimal) {
            return ((BigDecimal) value).toPlainString();
        }
        if (value instanceof Map || value instanceof List) {
            try {
                return JSON.writeValueAsString(value);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("cannot write a column as JSON", e);
            }
        }
        return String.valueOf(value);
    }
}
