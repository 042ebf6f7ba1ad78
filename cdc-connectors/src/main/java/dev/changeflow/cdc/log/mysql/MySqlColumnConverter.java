package dev.changeflow.cdc.log.mysql;

import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import org.apache.kafka.connect.data.SchemaBuilder;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.Properties;

/**
 * A Debezium custom converter (registered by {@link
 * dev.changeflow.cdc.log.mysql.config.MySqlLogSourceConfig}) that makes three MariaDB/MySQL column
 * types arrive as the change-event contract ({@code common-schemas/TYPES.md}) and the JDBC driver
 * have them, so log-based, trigger-based and query-based capture encode them alike:
 *
 * <ul>
 *   <li>{@code TINYINT(1)} / {@code BOOLEAN}: Debezium's MySQL connector emits a number; here a
 *       {@code BOOLEAN}, {@code true} for every non-zero value (as Connector/J's {@code
 *       tinyInt1isBit} and PostgreSQL's {@code boolean}).
 *   <li>{@code FLOAT} (single precision): Debezium widens it to {@code FLOAT64}, so 36.6 would
 *       become 36.599998474121094; here a {@code FLOAT32}, as PostgreSQL's {@code real}.
 *   <li>{@code BIT(n)}, n &gt; 1: Debezium's {@code io.debezium.data.Bits} holds the bytes
 *       little-endian; here plain bytes, big-endian and ⌈n/8⌉ long, as {@code ResultSet.getBytes}.
 * </ul>
 *
 * <p>{@code BIT(1)} is already a {@code BOOLEAN} in Debezium and is left alone.
 */
public final class MySqlColumnConverter
        implements CustomConverter<SchemaBuilder, RelationalColumn> {

    @Override
    public void configure(Properties props) {}

    @Override
    public void converterFor(
            RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        String type = column.typeName() == null ? "" : column.typeName().toUpperCase(Locale.ROOT);
        int length = column.length().orElse(-1);
        if (isBoolean(type, length)) {
            registration.register(
                    optional(SchemaBuilder.bool(), column),
                    value -> convert(column, value, MySqlColumnConverter::toBoolean));
        } else if (isSinglePrecisionFloat(type, length, column.scale().isPresent())) {
            registration.register(
                    optional(SchemaBuilder.float32(), column),
                    value -> convert(column, value, v -> ((Number) v).floatValue()));
        } else if (type.equals("BIT") && length > 1) {
            int bytes = (length + 7) / 8;
            registration.register(
                    optional(SchemaBuilder.bytes(), column),
                    value -> convert(column, value, v -> bigEndianBits(v, bytes)));
        }
    }

    private static boolean isBoolean(String type, int length) {
        return type.equals("BOOLEAN")
                || type.equals("BOOL")
                || ((type.equals("TINYINT") || type.equals("TINYINT UNSIGNED")) && length == 1);
    }

    /** {@code FLOAT}, {@code FLOAT(M,D)} and {@code FLOAT(p)} with p up to 24 are 4-byte floats. */
    private static boolean isSinglePrecisionFloat(String type, int length, boolean scale) {
        return (type.equals("FLOAT") || type.equals("FLOAT UNSIGNED") || type.equals("FLOAT4"))
                && (length < 0 || scale || length <= 24);
    }

    private static SchemaBuilder optional(SchemaBuilder builder, RelationalColumn column) {
        return column.isOptional() ? builder.optional() : builder;
    }

    private static Object convert(
            RelationalColumn column, Object value, java.util.function.Function<Object, ?> to) {
        if (value == null) {
            if (column.isOptional()) {
                return null;
            }
            return column.hasDefaultValue() && column.defaultValue() != null
                    ? to.apply(column.defaultValue())
                    : null;
        }
        return to.apply(value);
    }

    private static Boolean toBoolean(Object value) {
        if (value instanceof Boolean) {
            return (Boolean) value;
        }
        if (value instanceof Number) {
            return ((Number) value).longValue() != 0;
        }
        String text = value.toString().trim();
        try {
            return Long.parseLong(text) != 0;
        } catch (NumberFormatException e) {
            return Boolean.parseBoolean(text);
        }
    }

    /** The value's bits as {@code bytes} big-endian bytes (bit 0 is the last byte's lowest). */
    static byte[] bigEndianBits(Object value, int bytes) {
        byte[] out = new byte[bytes];
        if (value instanceof BitSet) {
            byte[] little = ((BitSet) value).toByteArray();
            for (int i = 0; i < little.length && i < bytes; i++) {
                out[bytes - 1 - i] = little[i];
            }
            return out;
        }
        byte[] big;
        if (value instanceof byte[]) {
            big = (byte[]) value;
        } else if (value instanceof ByteBuffer) {
            ByteBuffer buffer = ((ByteBuffer) value).duplicate();
            big = new byte[buffer.remaining()];
            buffer.get(big);
        } else if (value instanceof Number) {
            long bits = ((Number) value).longValue();
            for (int i = 0; i < bytes && i < Long.BYTES; i++) {
                out[bytes - 1 - i] = (byte) (bits >>> (8 * i));
            }
            return out;
        } else if (value instanceof Boolean) {
            out[bytes - 1] = (byte) (((Boolean) value) ? 1 : 0);
            return out;
        } else {
            throw new IllegalArgumentException(
                    "cannot read a BIT value from " + value.getClass().getName());
        }
        // right-align: keep the lowest bytes, pad on the left
        int copy = Math.min(big.length, bytes);
        System.arraycopy(big, big.length - copy, out, bytes - copy, copy);
        return big.length == bytes ? Arrays.copyOf(big, bytes) : out;
    }
}
