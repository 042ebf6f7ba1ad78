package dev.changeflow.schemas;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import javax.annotation.Nullable;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One captured row change, the envelope every CDC method emits. Its JSON form ({@link
 * ChangeEventJson}) is Debezium's, so Flink SQL's {@code debezium-json} format and Kafka Connect
 * sinks read it unchanged.
 *
 * <p>Rows ({@code before}, {@code after}) are unmodifiable maps from column name to JSON value that
 * keep the table's column order. The constructor converts the values it is given with {@link
 * ColumnValues#toJsonValue(Object)}, so rows may be built straight from JDBC values, and two events
 * are equal exactly when their JSON values are (row equality is {@link Map#equals}, which ignores
 * column order).
 *
 * <p>Flink serializes this type with {@link ChangeEventTypeSerializer} (declared by {@link
 * TypeInfo}), not with Kryo.
 *
 * @param before the row before the change: required for {@code u} and {@code d}, null for {@code r}
 *     and {@code c}
 * @param after the row after the change: required for {@code r}, {@code c} and {@code u}, null for
 *     {@code d}
 * @param source where and when the change happened
 * @param op what kind of change it is
 * @param tsMs when the event was produced by the capturing process, epoch milliseconds ({@code
 *     ts_ms})
 */
@TypeInfo(ChangeEventTypeInfoFactory.class)
public record ChangeEvent(
        @Nullable Map<String, Object> before,
        @Nullable Map<String, Object> after,
        SourceInfo source,
        Op op,
        long tsMs) {

    /**
     * Validates the envelope and converts the rows to the JSON value model.
     *
     * @throws IllegalArgumentException naming the field that breaks the contract
     */
    public ChangeEvent {
        if (op == null) {
            throw new IllegalArgumentException("op must not be null, expected one of r, c, u, d");
        }
        if (source == null) {
            throw new IllegalArgumentException("source must not be null");
        }
        if (tsMs < 0) {
            throw new IllegalArgumentException(
                    "ts_ms must be epoch milliseconds >= 0, got " + tsMs);
        }
        if (op.hasAfter() && after == null) {
            throw new IllegalArgumentException(
                    "after must not be null for op '" + op.code() + "' (" + describe(op) + ")");
        }
        if (!op.hasAfter() && after != null) {
            throw new IllegalArgumentException(
                    "after must be null for op 'd' (delete), the deleted row goes in before");
        }
        if (op.hasBefore() && before == null && !awaitsBeforeImage(op, source)) {
            throw new IllegalArgumentException(
                    "before must not be null for op '"
                            + op.code()
                            + "' ("
                            + describe(op)
                            + "): Flink's debezium-json rejects it; capture the full old row"
                            + " (PostgreSQL: REPLICA IDENTITY FULL)");
        }
        if (!op.hasBefore() && before != null) {
            throw new IllegalArgumentException(
                    "before must be null for op '" + op.code() + "' (" + describe(op) + ")");
        }
        before = row("before", before);
        after = row("after", after);
    }

    /** A row read by a snapshot ({@code op = r}). */
    public static ChangeEvent read(SourceInfo source, long tsMs, Map<String, ?> after) {
        return new ChangeEvent(null, values(after), source, Op.READ, tsMs);
    }

    /** An inserted row ({@code op = c}). */
    public static ChangeEvent create(SourceInfo source, long tsMs, Map<String, ?> after) {
        return new ChangeEvent(null, values(after), source, Op.CREATE, tsMs);
    }

    /** An updated row ({@code op = u}); {@code before} is the full old row. */
    public static ChangeEvent update(
            SourceInfo source, long tsMs, Map<String, ?> before, Map<String, ?> after) {
        return new ChangeEvent(values(before), values(after), source, Op.UPDATE, tsMs);
    }

    /**
     * An updated row found by the query-based source ({@code op = u}, connector {@code query}),
     * which cannot see the old row: {@code before} is null until a keyed step of the job fills it
     * from the previous image of the same key. Only query-sourced updates may lack {@code before};
     * {@link ChangeEventJson} still refuses such an event, so it must be filled before it is
     * written to a topic.
     */
    public static ChangeEvent updateWithoutBefore(
            SourceInfo source, long tsMs, Map<String, ?> after) {
        return new ChangeEvent(null, values(after), source, Op.UPDATE, tsMs);
    }

    /** Whether this event is a query-sourced update whose before-image is filled downstream. */
    public boolean awaitsBeforeImage() {
        return awaitsBeforeImage(op, source) && before == null;
    }

    private static boolean awaitsBeforeImage(Op op, SourceInfo source) {
        return op == Op.UPDATE && source.connector() == Connector.QUERY;
    }

    /** A deleted row ({@code op = d}); {@code before} is the full deleted row. */
    public static ChangeEvent delete(SourceInfo source, long tsMs, Map<String, ?> before) {
        return new ChangeEvent(values(before), null, source, Op.DELETE, tsMs);
    }

    /** The row this event is about: {@code after}, or {@code before} for a delete. Never null. */
    public Map<String, Object> row() {
        return op == Op.DELETE ? before : after;
    }

    /**
     * The record key: the primary key columns of {@link #row()}, in the given order, as an
     * unmodifiable map (its JSON, written by {@link ChangeEventJson#keyToBytes(Map)}, is the Kafka
     * record key, e.g. {@code {"id":42}}).
     *
     * @param primaryKeyColumns the table's primary key column names
     * @throws IllegalArgumentException if no column is given, a column is missing from the row, or
     *     an update changes the key (a key change must be emitted as a delete and a create, as
     *     Debezium does, so that compacted topics stay right)
     */
    public Map<String, Object> key(List<String> primaryKeyColumns) {
        if (primaryKeyColumns == null || primaryKeyColumns.isEmpty()) {
            throw new IllegalArgumentException(
                    "primary key columns must be given for table " + source.table());
        }
        Map<String, Object> row = row();
        Map<String, Object> key = new LinkedHashMap<>();
        for (String column : primaryKeyColumns) {
            if (!row.containsKey(column)) {
                throw new IllegalArgumentException(
                        "primary key column '"
                                + column
                                + "' is missing from the "
                                + (op == Op.DELETE ? "before" : "after")
                                + " row of table "
                                + source.table()
                                + "; columns are "
                                + row.keySet());
            }
            Object value = row.get(column);
            if (op == Op.UPDATE
                    && before != null
                    && before.containsKey(column)
                    && !Objects.equals(before.get(column), value)) {
                throw new IllegalArgumentException(
                        "primary key column '"
                                + column
                                + "' changed in an update of table "
                                + source.table()
                                + "; emit a delete of the old key and a create of the new one");
            }
            key.put(column, value);
        }
        return Collections.unmodifiableMap(key);
    }

    /** Widens a row's value type; the constructor copies and converts the values. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> values(Map<String, ?> row) {
        return (Map<String, Object>) row;
    }

    private static Map<String, Object> row(String field, Map<String, Object> row) {
        if (row == null) {
            return null;
        }
        try {
            return ColumnValues.toJsonRow(row);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    private static String describe(Op op) {
        switch (op) {
            case READ:
                return "snapshot read";
            case CREATE:
                return "create";
            case UPDATE:
                return "update";
            default:
                return "delete";
        }
    }
}
