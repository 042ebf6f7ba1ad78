package dev.changeflow.cdc.log.mysql;

import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.Test;

import java.sql.Types;
import java.util.BitSet;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

class MySqlColumnConverterTest {

    private final MySqlColumnConverter converter = new MySqlColumnConverter();

    @Test
    void tinyIntOneIsABooleanTrueForEveryNonZeroValue() {
        Registration r = register(column("TINYINT", 1, null));
        assertThat(r.schema.type()).isEqualTo(Schema.Type.BOOLEAN);
        assertThat(r.schema.isOptional()).isTrue();
        assertThat(r.converter.convert((short) 1)).isEqualTo(true);
        assertThat(r.converter.convert(-1)).isEqualTo(true);
        assertThat(r.converter.convert(2)).isEqualTo(true);
        assertThat(r.converter.convert((byte) 0)).isEqualTo(false);
        assertThat(r.converter.convert(Boolean.TRUE)).isEqualTo(true);
        assertThat(r.converter.convert(null)).isNull();
        assertThat(register(column("BOOLEAN", -1, null)).schema.type())
                .isEqualTo(Schema.Type.BOOLEAN);
    }

    @Test
    void otherTinyIntsAndDoublesAreLeftToDebezium() {
        assertThat(register(column("TINYINT", 4, null))).isNull();
        assertThat(register(column("TINYINT", -1, null))).isNull();
        assertThat(register(column("DOUBLE", -1, null))).isNull();
        assertThat(register(column("FLOAT", 25, null))).isNull();
        assertThat(register(column("BIT", 1, null))).isNull();
    }

    @Test
    void floatIsSinglePrecision() {
        Registration r = register(column("FLOAT", -1, null));
        assertThat(r.schema.type()).isEqualTo(Schema.Type.FLOAT32);
        assertThat(r.converter.convert(36.6f)).isEqualTo(36.6f);
        assertThat(r.converter.convert((double) 36.6f)).isEqualTo(36.6f);
        assertThat(register(column("FLOAT", 7, 2)).schema.type()).isEqualTo(Schema.Type.FLOAT32);
        assertThat(register(column("FLOAT", 24, null)).schema.type())
                .isEqualTo(Schema.Type.FLOAT32);
    }

    @Test
    void bitsAreBigEndianBytesOfTheColumnWidth() {
        Registration r = register(column("BIT", 12, null));
        assertThat(r.schema.type()).isEqualTo(Schema.Type.BYTES);
        // the binlog hands out a BitSet (bit 0 = lowest)
        assertThat((byte[]) r.converter.convert(BitSet.valueOf(new long[] {0xABC})))
                .containsExactly(0x0A, 0xBC);
        // JDBC hands out big-endian bytes, possibly shorter
        assertThat((byte[]) r.converter.convert(new byte[] {0x0A, (byte) 0xBC}))
                .containsExactly(0x0A, 0xBC);
        assertThat((byte[]) r.converter.convert(new byte[] {0x01})).containsExactly(0x00, 0x01);
        assertThat((byte[]) r.converter.convert(new BitSet())).containsExactly(0x00, 0x00);
        assertThat((byte[]) register(column("BIT", 64, null)).converter.convert(-1L))
                .hasSize(8)
                .containsOnly(0xFF);
    }

    private Registration register(RelationalColumn column) {
        Registration[] registered = new Registration[1];
        converter.converterFor(
                column, (schema, conv) -> registered[0] = new Registration(schema.build(), conv));
        return registered[0];
    }

    private record Registration(Schema schema, CustomConverter.Converter converter) {}

    private static RelationalColumn column(String type, int length, Integer scale) {
        return new RelationalColumn() {
            @Override
            public int jdbcType() {
                return Types.OTHER;
            }

            @Override
            public int nativeType() {
                return -1;
            }

            @Override
            public String typeName() {
                return type;
            }

            @Override
            public String typeExpression() {
                return type;
            }

            @Override
            public OptionalInt length() {
                return length < 0 ? OptionalInt.empty() : OptionalInt.of(length);
            }

            @Override
            public OptionalInt scale() {
                return scale == null ? OptionalInt.empty() : OptionalInt.of(scale);
            }

            @Override
            public boolean isOptional() {
                return true;
            }

            @Override
            public Object defaultValue() {
                return null;
            }

            @Override
            public boolean hasDefaultValue() {
                return false;
            }

            @Override
            public String name() {
                return "c";
            }

            @Override
            public String dataCollection() {
                return "db.t";
            }
        };
    }
}
