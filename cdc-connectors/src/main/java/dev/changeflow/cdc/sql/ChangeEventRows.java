package dev.changeflow.cdc.sql;

import dev.changeflow.schemas.ChangeEvent;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Turns {@link ChangeEvent}s into Flink SQL changelog rows of a declared row type, the way Flink's
 * {@code debezium-json} format reads the same envelope: {@code r}/{@code c} -> {@code +I}, {@code
 * u} -> {@code -U} (before) and {@code +U} (after), {@code d} -> {@code -D} (before). An update
 * without its old row (query-based capture) is an upsert: {@code +U} only.
 *
 * <p>Column values are those of the change-event contract ({@code common-schemas/TYPES.md}):
 * temporal values as text, decimals exact, bytes as base64, JSON documents as text. Columns are
 * matched by name; a declared column the row does not have is NULL. A value the declared type
 * cannot hold fails with the column's name.
 */
public final class ChangeEventRows implements FlatMapFunction<ChangeEvent, RowData> {

    private static final long serialVersionUID = 1L;

    private final String[] names;
    private final FieldConverter[] converters;

    /** Converts to rows of {@code rowType} (the table's physical columns). */
    public ChangeEventRows(RowType rowType) {
        List<RowType.RowField> fields = rowType.getFields();
        names = new String[fields.size()];
        converters = new FieldConverter[fields.size()];
        for (int i = 0; i < fields.size(); i++) {
            names[i] = fields.get(i).getName();
            converters[i] = converter(fields.get(i).getType());
        }
    }

    @Override
    public void flatMap(ChangeEvent event, Collector<RowData> out) {
        switch (event.op()) {
            case READ:
            case CREATE:
                out.collect(row(RowKind.INSERT, event.after(), event));
                break;
            case UPDATE:
                // a query-based update has no old row: an upsert, for a table with a primary key
                if (event.before() != null) {
                    out.collect(row(RowKind.UPDATE_BEFORE, event.before(), event));
                }
                out.collect(row(RowKind.UPDATE_AFTER, event.after(), event));
                break;
            case DELETE:
                out.collect(row(RowKind.DELETE, event.before(), event));
                break;
            default:
                throw new IllegalStateException("unknown op " + event.op());
        }
    }

    private RowData row(RowKind kind, Map<String, Object> values, ChangeEvent event) {
        GenericRowData row = new GenericRowData(kind, names.length);
        for (int i = 0; i < names.length; i++) {
            Object value = values.get(names[i]);
            try {
                row.setField(i, value == null ? null : converters[i].convert(value));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "column '"
                                + names[i]
                                + "' of "
                                + event.source().table()
                                + ": cannot read "
                                + value
                                + " as the declared type: "
                                + e.getMessage(),
                        e);
            }
        }
        return row;
    }

    @FunctionalInterface
    private interface FieldConverter extends Serializable {
        Object convert(Object value);
    }

    private static FieldConverter converter(LogicalType type) {
        switch (type.getTypeRoot()) {
            case BOOLEAN:
                return value ->
                        value instanceof Boolean ? value : Boolean.valueOf(value.toString());
            case TINYINT:
                return value -> number(value).byteValueExact();
            case SMALLINT:
                return value -> number(value).shortValueExact();
            case INTEGER:
                return value -> number(value).intValueExact();
            case BIGINT:
                return value -> number(value).longValueExact();
            case FLOAT:
                return value -> (float) floating(value);
            case DOUBLE:
                return value -> floating(value);
            case DECIMAL:
                DecimalType decimal = (DecimalType) type;
                int precision = decimal.getPrecision();
                int scale = decimal.getScale();
                return value -> {
                    DecimalData data = DecimalData.fromBigDecimal(number(value), precision, scale);
                    if (data == null) {
                        throw new IllegalArgumentException(
                                "does not fit DECIMAL(" + precision + ", " + scale + ")");
                    }
                    return data;
                };
            case CHAR:
            case VARCHAR:
                return value -> StringData.fromString(value.toString());
            case BINARY:
            case VARBINARY:
                return value -> Base64.getDecoder().decode(value.toString());
            case DATE:
                return value -> (int) LocalDate.parse(value.toString()).toEpochDay();
            case TIME_WITHOUT_TIME_ZONE:
                return value -> (int) (LocalTime.parse(value.toString()).toNanoOfDay() / 1_000_000);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return value ->
                        TimestampData.fromLocalDateTime(
                                LocalDateTime.parse(value.toString().replace(' ', 'T')));
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return value ->
                        TimestampData.fromInstant(
                                Instant.parse(value.toString().replace(' ', 'T')));
            default:
                throw new IllegalArgumentException(
                        "column type "
                                + type
                                + " is not supported; declare one of BOOLEAN, TINYINT, SMALLINT,"
                                + " INT, BIGINT, FLOAT, DOUBLE, DECIMAL, CHAR, VARCHAR/STRING,"
                                + " BINARY, VARBINARY/BYTES, DATE, TIME, TIMESTAMP, TIMESTAMP_LTZ");
        }
    }

    private static BigDecimal number(Object value) {
        return value instanceof BigDecimal ? (BigDecimal) value : new BigDecimal(value.toString());
    }

    private static double floating(Object value) {
        if (value instanceof Number) {
            return ((Number) value).doubleValue();
        }
        return Double.parseDouble(value.toString());
    }
}
