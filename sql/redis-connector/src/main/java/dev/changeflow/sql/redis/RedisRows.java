package dev.changeflow.sql.redis;

import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Map;

/**
 * Between a table's rows and Redis: the key of a lookup (prefix, the primary key's values in key
 * order, an optional hash tag) and the row a hash or string holds (text parsed into the column's
 * type). Built once at planning time, where an unsupported column type is an error.
 */
final class RedisRows implements Serializable {

    private static final long serialVersionUID = 1L;

    /** {@code 2024-01-01 12:00:00}, {@code 2024-01-01T12:00:00.123}: what the views job writes. */
    private static final DateTimeFormatter TIMESTAMP =
            new DateTimeFormatterBuilder()
                    .append(DateTimeFormatter.ISO_LOCAL_DATE)
                    .optionalStart()
                    .appendLiteral(' ')
                    .optionalEnd()
                    .optionalStart()
                    .appendLiteral('T')
                    .optionalEnd()
                    .appendValue(ChronoField.HOUR_OF_DAY, 2)
                    .appendLiteral(':')
                    .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
                    .optionalStart()
                    .appendLiteral(':')
                    .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
                    .optionalStart()
                    .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
                    .toFormatter();

    private final String table;
    private final List<String> names;
    private final List<LogicalType> types;
    private final int[] primaryKey;
    private final RedisLookupOptions.DataType dataType;
    private final String prefix;
    private final boolean hashTag;
    private final String separator;

    /** Field i of a lookup's key row (the primary key's i-th column), made once. */
    private final RowData.FieldGetter[] keyGetters;

    /**
     * @param table the table's name, for messages
     * @param names the physical columns
     * @param types their types
     * @param primaryKey the primary key's columns (indices into {@code names}), in key order
     */
    RedisRows(
            String table,
            List<String> names,
            List<LogicalType> types,
            int[] primaryKey,
            RedisLookupOptions.DataType dataType,
            String prefix,
            boolean hashTag,
            String separator) {
        this.table = table;
        this.names = List.copyOf(names);
        this.types = List.copyOf(types);
        this.primaryKey = primaryKey.clone();
        this.dataType = dataType;
        this.prefix = prefix;
        this.hashTag = hashTag;
        this.separator = separator;
        this.keyGetters = new RowData.FieldGetter[primaryKey.length];
        for (int i = 0; i < primaryKey.length; i++) {
            keyGetters[i] = RowData.createFieldGetter(types.get(primaryKey[i]), i);
        }
        if (primaryKey.length == 0) {
            throw new ValidationException(
                    "changeflow-redis table "
                            + table
                            + " needs a PRIMARY KEY (...) NOT ENFORCED: its columns make the Redis"
                            + " key");
        }
        for (int k : primaryKey) {
            if (!isKeyType(types.get(k))) {
                throw new ValidationException(
                        String.format(
                                "changeflow-redis table %s: key column %s is %s; a key column must"
                                        + " be a string, an integer, a DECIMAL, a BOOLEAN or a"
                                        + " DATE",
                                table, names.get(k), types.get(k)));
            }
        }
        int values = names.size() - primaryKey.length;
        if (dataType == RedisLookupOptions.DataType.STRING && values != 1) {
            throw new ValidationException(
                    String.format(
                            "changeflow-redis table %s: with 'data-type' = 'string' the table has"
                                    + " exactly one column besides the key (the string's value),"
                                    + " it has %d",
                            table, values));
        }
        for (int i = 0; i < names.size(); i++) {
            if (!isKey(i) && !isValueType(types.get(i))) {
                throw new ValidationException(
                        String.format(
                                "changeflow-redis table %s: column %s is %s, which a Redis value"
                                        + " cannot be read as (supported: strings, BOOLEAN,"
                                        + " integers, FLOAT, DOUBLE, DECIMAL, DATE, TIMESTAMP,"
                                        + " TIMESTAMP_LTZ, BYTES)",
                                table, names.get(i), types.get(i)));
            }
        }
    }

    String table() {
        return table;
    }

    RedisLookupOptions.DataType dataType() {
        return dataType;
    }

    boolean isKey(int column) {
        for (int k : primaryKey) {
            if (k == column) {
                return true;
            }
        }
        return false;
    }

    /** The one value column of a string table. */
    int valueColumn() {
        for (int i = 0; i < names.size(); i++) {
            if (!isKey(i)) {
                return i;
            }
        }
        throw new IllegalStateException("no value column");
    }

    /**
     * The Redis key of a lookup.
     *
     * @param keyRow the primary key's values, in key order
     */
    String key(RowData keyRow) {
        StringBuilder key = new StringBuilder(prefix);
        if (hashTag) {
            key.append('{');
        }
        for (int i = 0; i < primaryKey.length; i++) {
            if (i > 0) {
                key.append(separator);
            }
            key.append(keyText(keyRow, i, types.get(primaryKey[i])));
        }
        if (hashTag) {
            key.append('}');
        }
        return key.toString();
    }

    /** The row a hash holds; the key columns from the lookup. */
    RowData fromHash(RowData keyRow, String key, Map<String, String> hash) {
        GenericRowData row = withKey(keyRow);
        for (int i = 0; i < names.size(); i++) {
            if (!isKey(i)) {
                row.setField(i, parse(key, i, hash.get(names.get(i))));
            }
        }
        return row;
    }

    /** The row a string holds. */
    RowData fromString(RowData keyRow, String key, String value) {
        GenericRowData row = withKey(keyRow);
        int column = valueColumn();
        row.setField(column, parse(key, column, value));
        return row;
    }

    private GenericRowData withKey(RowData keyRow) {
        GenericRowData row = new GenericRowData(names.size());
        for (int i = 0; i < primaryKey.length; i++) {
            row.setField(primaryKey[i], keyGetters[i].getFieldOrNull(keyRow));
        }
        return row;
    }

    private static String keyText(RowData keyRow, int pos, LogicalType type) {
        if (keyRow.isNullAt(pos)) {
            return "";
        }
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return keyRow.getString(pos).toString();
            case BOOLEAN:
                return Boolean.toString(keyRow.getBoolean(pos));
            case TINYINT:
                return Byte.toString(keyRow.getByte(pos));
            case SMALLINT:
                return Short.toString(keyRow.getShort(pos));
            case INTEGER:
                return Integer.toString(keyRow.getInt(pos));
            case BIGINT:
                return Long.toString(keyRow.getLong(pos));
            case DECIMAL:
                DecimalType d = (DecimalType) type;
                return keyRow.getDecimal(pos, d.getPrecision(), d.getScale())
                        .toBigDecimal()
                        .toPlainString();
            case DATE:
                return LocalDate.ofEpochDay(keyRow.getInt(pos)).toString();
            default:
                throw new IllegalStateException("key type " + type);
        }
    }

    private static boolean isKeyType(LogicalType type) {
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
            case BOOLEAN:
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
            case DECIMAL:
            case DATE:
                return true;
            default:
                return false;
        }
    }

    private static boolean isValueType(LogicalType type) {
        switch (type.getTypeRoot()) {
            case FLOAT:
            case DOUBLE:
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
            case BINARY:
            case VARBINARY:
                return true;
            default:
                return isKeyType(type);
        }
    }

    /** Text of a field (null when absent) as the internal value of column {@code i}. */
    private Object parse(String key, int i, String text) {
        if (text == null) {
            return null;
        }
        LogicalType type = types.get(i);
        try {
            switch (type.getTypeRoot()) {
                case CHAR:
                case VARCHAR:
                    return StringData.fromString(text);
                case BOOLEAN:
                    if (text.equalsIgnoreCase("true") || text.equals("t") || text.equals("1")) {
                        return true;
                    }
                    if (text.equalsIgnoreCase("false") || text.equals("f") || text.equals("0")) {
                        return false;
                    }
                    throw new IllegalArgumentException("not a boolean");
                case TINYINT:
                    return Byte.parseByte(text);
                case SMALLINT:
                    return Short.parseShort(text);
                case INTEGER:
                    return Integer.parseInt(text);
                case BIGINT:
                    return Long.parseLong(text);
                case FLOAT:
                    return Float.parseFloat(text);
                case DOUBLE:
                    return Double.parseDouble(text);
                case DECIMAL:
                    DecimalType d = (DecimalType) type;
                    DecimalData value =
                            DecimalData.fromBigDecimal(
                                    new BigDecimal(text), d.getPrecision(), d.getScale());
                    if (value == null) {
                        throw new IllegalArgumentException("does not fit " + type);
                    }
                    return value;
                case DATE:
                    return (int) LocalDate.parse(text).toEpochDay();
                case TIMESTAMP_WITHOUT_TIME_ZONE:
                    return TimestampData.fromLocalDateTime(LocalDateTime.parse(text, TIMESTAMP));
                case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                    return TimestampData.fromInstant(
                            text.endsWith("Z")
                                    ? Instant.parse(text)
                                    : LocalDateTime.parse(text, TIMESTAMP)
                                            .toInstant(java.time.ZoneOffset.UTC));
                case BINARY:
                case VARBINARY:
                    return text.getBytes(StandardCharsets.UTF_8);
                default:
                    throw new IllegalStateException("value type " + type);
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    String.format(
                            "changeflow-redis table %s: %s of key %s holds '%s', which is not a"
                                    + " %s (%s)",
                            table,
                            dataType == RedisLookupOptions.DataType.HASH
                                    ? "field " + names.get(i)
                                    : "the value",
                            key,
                            text.length() > 100 ? text.substring(0, 100) + "..." : text,
                            type,
                            e.getMessage()),
                    e);
        }
    }
}
