package dev.changeflow.cli.verify;

import dev.changeflow.cli.verify.TableShape.ColumnKind;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which columns of a table a sink holds, under which field names, and how they compare: the
 * database row and the sink's row both become the same {@code column -> text} map ({@link
 * Canonical}), so equal maps mean equal rows.
 */
final class Projection {

    private final TableShape table;
    private final Map<String, String> fieldByColumn;
    private final boolean epochTimestamps;

    private Projection(
            TableShape table, Map<String, String> fieldByColumn, boolean epochTimestamps) {
        this.table = table;
        this.fieldByColumn = Collections.unmodifiableMap(fieldByColumn);
        this.epochTimestamps = epochTimestamps;
    }

    /** Every column under its own name: change topics and Redis views hold whole rows. */
    static Projection wholeRow(TableShape table) {
        Map<String, String> fields = new LinkedHashMap<>();
        table.columns().keySet().forEach(column -> fields.put(column, column));
        return new Projection(table, fields, false);
    }

    /**
     * The columns a document or record has a field for: the name {@code renamedByTable} gives for
     * the table (by {@link TableShape#in}), else the column's own name, else its camelCase ({@code
     * customer_id} -> {@code customerId}). Timestamps compare as epoch milliseconds where the field
     * holds numbers.
     */
    static Projection fields(
            TableShape table,
            Iterable<String> sinkFields,
            Map<String, Map<String, String>> renamedByTable) {
        Map<String, String> renamed =
                table.in(renamedByTable) == null ? Map.of() : table.in(renamedByTable);
        Map<String, String> available = new LinkedHashMap<>();
        sinkFields.forEach(field -> available.put(field, field));
        Map<String, String> fields = new LinkedHashMap<>();
        for (String column : table.columns().keySet()) {
            String field = renamed.get(column);
            if (field == null) {
                field =
                        available.containsKey(column)
                                ? column
                                : available.containsKey(camelCase(column))
                                        ? camelCase(column)
                                        : null;
            }
            if (field != null && available.containsKey(field)) {
                fields.put(column, field);
            }
        }
        return new Projection(table, fields, true);
    }

    /**
     * This projection without {@code ignored} columns (their values are not compared).
     *
     * @throws IllegalArgumentException for a key column or a column the table does not have
     */
    Projection without(java.util.Collection<String> ignored) {
        Map<String, String> fields = new LinkedHashMap<>(fieldByColumn);
        for (String column : ignored) {
            if (!table.columns().containsKey(column) || table.isKey(column)) {
                throw new IllegalArgumentException(
                        "--ignore-column "
                                + table.name()
                                + "."
                                + column
                                + ": "
                                + (table.isKey(column)
                                        ? "rows are compared by their key"
                                        : "the table has no such column"));
            }
            fields.remove(column);
        }
        return new Projection(table, fields, epochTimestamps);
    }

    static String camelCase(String column) {
        StringBuilder camel = new StringBuilder(column.length());
        boolean upper = false;
        for (char c : column.toCharArray()) {
            if (c == '_') {
                upper = camel.length() > 0;
            } else {
                camel.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return camel.toString();
    }

    /** The compared columns, in table order. */
    List<String> columns() {
        return List.copyOf(fieldByColumn.keySet());
    }

    /** The field that holds {@code column}, or null. */
    String field(String column) {
        return fieldByColumn.get(column);
    }

    /** A database row's compared columns. */
    Map<String, String> ofDatabase(Map<String, Object> row) {
        return project(row, false);
    }

    /** A sink row's compared columns, from its fields. */
    Map<String, String> ofSink(Map<String, ?> fields) {
        return project(fields, true);
    }

    private Map<String, String> project(Map<String, ?> values, boolean byField) {
        Map<String, String> projected = new LinkedHashMap<>();
        for (Map.Entry<String, String> column : fieldByColumn.entrySet()) {
            Object value = values.get(byField ? column.getValue() : column.getKey());
            ColumnKind kind = table.columns().get(column.getKey());
            String text = Canonical.text(value, kind, epochTimestamps);
            if (text != null) {
                projected.put(column.getKey(), text);
            }
        }
        return projected;
    }

    /** Key parts from their text in a sink (a document id, a Redis key) in the key's types. */
    List<Object> keyFromText(List<String> parts) {
        if (parts.size() != table.key().size()) {
            throw new IllegalArgumentException(
                    "expected " + table.key().size() + " key parts, got " + parts);
        }
        Object[] key = new Object[parts.size()];
        for (int i = 0; i < key.length; i++) {
            key[i] = keyPart(table.key().get(i), parts.get(i));
        }
        return List.of(key);
    }

    /** A key part in the key column's type: integers as {@link Long}, the rest as text. */
    Object keyPart(String column, Object value) {
        if (value == null) {
            throw new IllegalArgumentException("key column " + column + " is null");
        }
        if (table.columns().get(column) == ColumnKind.NUMBER) {
            return value instanceof Number
                    ? ((Number) value).longValue()
                    : Long.parseLong(value.toString().trim());
        }
        return value.toString();
    }
}
