package dev.changeflow.sql.redis;

import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarCharType;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisRowsTest {

    private static final List<String> NAMES =
            List.of("id", "category", "price", "stock", "active", "updated_at");
    private static final List<LogicalType> TYPES =
            List.of(
                    new BigIntType(),
                    VarCharType.STRING_TYPE,
                    new DecimalType(10, 2),
                    new IntType(),
                    new BooleanType(),
                    new TimestampType(3));

    private static RedisRows products() {
        return new RedisRows(
                "products",
                NAMES,
                TYPES,
                new int[] {0},
                RedisLookupOptions.DataType.HASH,
                "view:products:",
                true,
                ":");
    }

    @Test
    void theKeyIsThePrefixAndThePrimaryKeyInAHashTagLikeTheViewsJobs() {
        assertThat(products().key(GenericRowData.of(42L))).isEqualTo("view:products:{42}");
        RedisRows composite =
                new RedisRows(
                        "stock",
                        List.of("warehouse", "sku", "qty"),
                        List.of(VarCharType.STRING_TYPE, new BigIntType(), new IntType()),
                        new int[] {0, 1},
                        RedisLookupOptions.DataType.STRING,
                        "stock/",
                        false,
                        "|");
        assertThat(composite.key(GenericRowData.of(StringData.fromString("north"), 7L)))
                .isEqualTo("stock/north|7");
    }

    @Test
    void aHashBecomesARowOfTheColumnsTypesAndAbsentFieldsAreNull() {
        RowData row =
                products()
                        .fromHash(
                                GenericRowData.of(42L),
                                "view:products:{42}",
                                Map.of(
                                        "_op", "u",
                                        "category", "books",
                                        "price", "12.50",
                                        "active", "true",
                                        "updated_at", "2024-01-01 12:00:00.250"));
        assertThat(row.getLong(0)).isEqualTo(42L);
        assertThat(row.getString(1).toString()).isEqualTo("books");
        assertThat(row.getDecimal(2, 10, 2)).isEqualTo(DecimalData.fromUnscaledLong(1250, 10, 2));
        assertThat(row.isNullAt(3)).isTrue();
        assertThat(row.getBoolean(4)).isTrue();
        assertThat(row.getTimestamp(5, 3))
                .isEqualTo(
                        TimestampData.fromLocalDateTime(
                                LocalDateTime.of(2024, 1, 1, 12, 0, 0, 250_000_000)));
    }

    @Test
    void aValueThatIsNotOfTheColumnsTypeIsAnErrorNamingKeyFieldAndValue() {
        assertThatThrownBy(
                        () ->
                                products()
                                        .fromHash(
                                                GenericRowData.of(42L),
                                                "view:products:{42}",
                                                Map.of("stock", "many")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("field stock of key view:products:{42} holds 'many'")
                .hasMessageContaining("INT");
    }

    @Test
    void aTableWithoutPrimaryKeyOrWithAColumnRedisCannotHoldIsRefusedAtPlanning() {
        assertThatThrownBy(
                        () ->
                                new RedisRows(
                                        "t",
                                        NAMES,
                                        TYPES,
                                        new int[0],
                                        RedisLookupOptions.DataType.HASH,
                                        "",
                                        false,
                                        ":"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("needs a PRIMARY KEY");
        assertThatThrownBy(
                        () ->
                                new RedisRows(
                                        "t",
                                        List.of("id", "tags"),
                                        List.of(
                                                new BigIntType(),
                                                new ArrayType(VarCharType.STRING_TYPE)),
                                        new int[] {0},
                                        RedisLookupOptions.DataType.HASH,
                                        "",
                                        false,
                                        ":"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("column tags is ARRAY<STRING>");
        assertThatThrownBy(
                        () ->
                                new RedisRows(
                                        "t",
                                        NAMES,
                                        TYPES,
                                        new int[] {0},
                                        RedisLookupOptions.DataType.STRING,
                                        "",
                                        false,
                                        ":"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("exactly one column besides the key");
    }
}
