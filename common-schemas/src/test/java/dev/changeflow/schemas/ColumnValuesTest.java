package dev.changeflow.schemas;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ColumnValuesTest {

    /** (description, database value, JSON value model, JSON text). */
    static Stream<Arguments> mappings() {
        return Stream.of(
                // NULL and booleans
                arguments("null", null, null, "null"),
                arguments("boolean true", true, true, "true"),
                arguments("boolean false", false, false, "false"),
                // integers
                arguments("tinyint", (byte) -128, -128L, "-128"),
                arguments("smallint", (short) 32767, 32767L, "32767"),
                arguments("integer", Integer.MIN_VALUE, -2147483648L, "-2147483648"),
                arguments("bigint max", Long.MAX_VALUE, Long.MAX_VALUE, "9223372036854775807"),
                arguments("bigint min", Long.MIN_VALUE, Long.MIN_VALUE, "-9223372036854775808"),
                arguments("small BigInteger", BigInteger.valueOf(-5), -5L, "-5"),
                arguments(
                        "bigint unsigned max",
                        new BigInteger("18446744073709551615"),
                        new BigInteger("18446744073709551615"),
                        "18446744073709551615"),
                arguments(
                        "2^63 does not fit a long",
                        BigInteger.ONE.shiftLeft(63),
                        BigInteger.ONE.shiftLeft(63),
                        "9223372036854775808"),
                // decimals: exact, scale kept
                arguments(
                        "negative decimal with scale",
                        new BigDecimal("-0.0100"),
                        new BigDecimal("-0.0100"),
                        "-0.0100"),
                arguments(
                        "decimal with trailing zeros",
                        new BigDecimal("1234.5000"),
                        new BigDecimal("1234.5000"),
                        "1234.5000"),
                arguments("decimal of scale 0", new BigDecimal("-42"), -42L, "-42"),
                arguments(
                        "huge decimal of scale 0",
                        new BigDecimal("123456789012345678901234567890"),
                        new BigInteger("123456789012345678901234567890"),
                        "123456789012345678901234567890"),
                arguments(
                        "decimal beyond double precision",
                        new BigDecimal("0.123456789012345678901234567890"),
                        new BigDecimal("0.123456789012345678901234567890"),
                        "0.123456789012345678901234567890"),
                arguments(
                        "negative scale decimal",
                        new BigDecimal("1E+3"),
                        new BigDecimal("1E+3"),
                        "1E+3"),
                // floating point: shortest decimal form, never scale 0, non-finite as strings
                arguments("double", 0.1d, new BigDecimal("0.1"), "0.1"),
                arguments("real", 0.1f, new BigDecimal("0.1"), "0.1"),
                arguments("real 36.6", 36.6f, new BigDecimal("36.6"), "36.6"),
                arguments("double 1.0", 1.0d, new BigDecimal("1.0"), "1.0"),
                arguments(
                        "double 1.2345678E7",
                        1.2345678E7,
                        new BigDecimal("12345678.0"),
                        "12345678.0"),
                arguments("double 1e300", 1e300, new BigDecimal("1.0E+300"), "1.0E+300"),
                arguments("double tiny", -2.5e-10, new BigDecimal("-2.5E-10"), "-2.5E-10"),
                arguments("double -0.0", -0.0d, new BigDecimal("0.0"), "0.0"),
                arguments("double NaN", Double.NaN, "NaN", "\"NaN\""),
                arguments("real NaN", Float.NaN, "NaN", "\"NaN\""),
                arguments("double +Infinity", Double.POSITIVE_INFINITY, "Infinity", "\"Infinity\""),
                arguments("real -Infinity", Float.NEGATIVE_INFINITY, "-Infinity", "\"-Infinity\""),
                // text
                arguments("text", "héllo \"x\"\t", "héllo \"x\"\t", "\"héllo \\\"x\\\"\\t\""),
                arguments("empty text", "", "", "\"\""),
                arguments("char", 'x', "x", "\"x\""),
                arguments("CharSequence", new StringBuilder("sb"), "sb", "\"sb\""),
                arguments(
                        "uuid",
                        UUID.fromString("123E4567-E89B-12D3-A456-426614174000"),
                        "123e4567-e89b-12d3-a456-426614174000",
                        "\"123e4567-e89b-12d3-a456-426614174000\""),
                arguments(
                        "json",
                        new JsonText("{\"a\": [1, null]}"),
                        "{\"a\": [1, null]}",
                        "\"{\\\"a\\\": [1, null]}\""),
                // timestamps without time zone
                arguments(
                        "timestamp without fraction",
                        LocalDateTime.of(2024, 1, 2, 3, 4, 5),
                        "2024-01-02 03:04:05",
                        "\"2024-01-02 03:04:05\""),
                arguments(
                        "timestamp with millis",
                        LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_000_000),
                        "2024-01-02 03:04:05.123",
                        "\"2024-01-02 03:04:05.123\""),
                arguments(
                        "timestamp with micros",
                        LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000),
                        "2024-01-02 03:04:05.123456",
                        "\"2024-01-02 03:04:05.123456\""),
                arguments(
                        "timestamp with one micro",
                        LocalDateTime.of(2024, 1, 2, 3, 4, 5, 1_000),
                        "2024-01-02 03:04:05.000001",
                        "\"2024-01-02 03:04:05.000001\""),
                arguments(
                        "timestamp with trailing zeros trimmed",
                        LocalDateTime.of(2024, 1, 2, 3, 4, 5, 100_000_000),
                        "2024-01-02 03:04:05.1",
                        "\"2024-01-02 03:04:05.1\""),
                arguments(
                        "timestamp nanos truncated to micros",
                        LocalDateTime.of(2024, 1, 2, 3, 4, 5, 999_999_999),
                        "2024-01-02 03:04:05.999999",
                        "\"2024-01-02 03:04:05.999999\""),
                arguments(
                        "timestamp below 1 micro dropped",
                        LocalDateTime.of(2024, 1, 2, 3, 4, 5, 999),
                        "2024-01-02 03:04:05",
                        "\"2024-01-02 03:04:05\""),
                arguments(
                        "timestamp on a leap day",
                        LocalDateTime.of(2024, 2, 29, 23, 59, 59),
                        "2024-02-29 23:59:59",
                        "\"2024-02-29 23:59:59\""),
                arguments(
                        "timestamp in year 1",
                        LocalDateTime.of(1, 1, 1, 0, 0),
                        "0001-01-01 00:00:00",
                        "\"0001-01-01 00:00:00\""),
                arguments(
                        "java.sql.Timestamp",
                        Timestamp.valueOf("2024-06-30 12:00:00.123456789"),
                        "2024-06-30 12:00:00.123456",
                        "\"2024-06-30 12:00:00.123456\""),
                // timestamps with time zone: UTC, trailing Z
                arguments(
                        "timestamptz +05:30",
                        OffsetDateTime.of(
                                2024,
                                1,
                                2,
                                8,
                                34,
                                5,
                                123_456_000,
                                ZoneOffset.ofHoursMinutes(5, 30)),
                        "2024-01-02 03:04:05.123456Z",
                        "\"2024-01-02 03:04:05.123456Z\""),
                arguments(
                        "timestamptz crossing into a leap day",
                        OffsetDateTime.of(2024, 3, 1, 1, 0, 0, 0, ZoneOffset.ofHours(2)),
                        "2024-02-29 23:00:00Z",
                        "\"2024-02-29 23:00:00Z\""),
                arguments(
                        "timestamptz -08:00",
                        OffsetDateTime.of(
                                2023, 12, 31, 20, 0, 0, 500_000_000, ZoneOffset.ofHours(-8)),
                        "2024-01-01 04:00:00.5Z",
                        "\"2024-01-01 04:00:00.5Z\""),
                arguments(
                        "zoned in summer time",
                        ZonedDateTime.of(2024, 7, 1, 12, 0, 0, 0, ZoneId.of("Europe/Berlin")),
                        "2024-07-01 10:00:00Z",
                        "\"2024-07-01 10:00:00Z\""),
                arguments(
                        "instant",
                        Instant.parse("2024-01-02T03:04:05.000007Z"),
                        "2024-01-02 03:04:05.000007Z",
                        "\"2024-01-02 03:04:05.000007Z\""),
                arguments(
                        "java.util.Date is an instant",
                        Date.from(Instant.parse("1970-01-01T00:00:01.250Z")),
                        "1970-01-01 00:00:01.25Z",
                        "\"1970-01-01 00:00:01.25Z\""),
                // dates and times
                arguments("date", LocalDate.of(2024, 2, 29), "2024-02-29", "\"2024-02-29\""),
                arguments(
                        "date 1900-02-28",
                        LocalDate.of(1900, 2, 28),
                        "1900-02-28",
                        "\"1900-02-28\""),
                arguments("date in year 0", LocalDate.of(0, 1, 1), "0000-01-01", "\"0000-01-01\""),
                arguments(
                        "java.sql.Date",
                        java.sql.Date.valueOf("2000-02-29"),
                        "2000-02-29",
                        "\"2000-02-29\""),
                arguments("time", LocalTime.of(9, 30), "09:30:00", "\"09:30:00\""),
                arguments(
                        "time with fraction",
                        LocalTime.of(23, 59, 59, 250_000_000),
                        "23:59:59.25",
                        "\"23:59:59.25\""),
                arguments("time max", LocalTime.MAX, "23:59:59.999999", "\"23:59:59.999999\""),
                arguments("java.sql.Time", Time.valueOf("07:08:09"), "07:08:09", "\"07:08:09\""),
                arguments(
                        "timetz",
                        OffsetTime.of(1, 30, 0, 0, ZoneOffset.ofHours(3)),
                        "22:30:00Z",
                        "\"22:30:00Z\""),
                // bytes
                arguments("bytea", new byte[] {0, 1, 2, (byte) 0xFF}, "AAEC/w==", "\"AAEC/w==\""),
                arguments("empty bytea", new byte[0], "", "\"\""),
                arguments(
                        "bytes with + and /",
                        new byte[] {(byte) 0xFB, (byte) 0xFF},
                        "+/8=",
                        "\"+/8=\""),
                // arrays and maps
                arguments(
                        "text[] with null",
                        new String[] {"a", null, "c"},
                        Arrays.asList("a", null, "c"),
                        "[\"a\",null,\"c\"]"),
                arguments("empty int[]", new int[0], List.of(), "[]"),
                arguments("int[]", new int[] {1, -2}, List.of(1L, -2L), "[1,-2]"),
                arguments(
                        "int[][]",
                        new int[][] {{1, 2}, {}, {3}},
                        List.of(List.of(1L, 2L), List.of(), List.of(3L)),
                        "[[1,2],[],[3]]"),
                arguments(
                        "date list",
                        List.of(LocalDate.of(2024, 2, 29)),
                        List.of("2024-02-29"),
                        "[\"2024-02-29\"]"),
                arguments(
                        "nested nulls",
                        Arrays.asList(null, Arrays.asList((Object) null), new Object[] {null}),
                        Arrays.asList(
                                null, Arrays.asList((Object) null), Arrays.asList((Object) null)),
                        "[null,[null],[null]]"),
                arguments(
                        "numeric[]",
                        new BigDecimal[] {new BigDecimal("-1.50"), null},
                        Arrays.asList(new BigDecimal("-1.50"), null),
                        "[-1.50,null]"),
                arguments(
                        "hstore",
                        orderedMap("b", "2", "a", null),
                        orderedMap("b", "2", "a", null),
                        "{\"b\":\"2\",\"a\":null}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mappings")
    void mapsEachTypeToItsJsonEncoding(String type, Object value, Object model, String json) {
        Object converted = ColumnValues.toJsonValue(value);

        assertThat(converted).isEqualTo(model);
        if (model instanceof BigDecimal) {
            assertThat(((BigDecimal) converted).scale()).isEqualTo(((BigDecimal) model).scale());
        }
        assertThat(ColumnValues.toJsonValue(converted)).as("idempotent").isEqualTo(converted);
        assertThat(jsonOf(converted)).isEqualTo(json);
        assertThat(readBack(json)).as("reading the JSON gives the model back").isEqualTo(model);
    }

    @Test
    void neverProducesEpochNumbersForTemporalValues() {
        Object[] temporals = {
            LocalDateTime.of(2024, 1, 2, 3, 4, 5),
            Instant.ofEpochMilli(1_700_000_000_000L),
            LocalDate.of(2024, 1, 2),
            LocalTime.NOON,
            new Timestamp(1_700_000_000_000L),
            new Date(1_700_000_000_000L),
            new java.sql.Date(1_700_000_000_000L),
            new Time(1_700_000_000_000L)
        };
        for (Object temporal : temporals) {
            assertThat(ColumnValues.toJsonValue(temporal))
                    .as(temporal.getClass().getName())
                    .isInstanceOf(String.class);
        }
    }

    @Test
    void byteBufferUsesRemainingBytesWithoutConsumingThem() {
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {9, 0, 1, 2, (byte) 0xFF});
        buffer.position(1);

        assertThat(ColumnValues.toJsonValue(buffer)).isEqualTo("AAEC/w==");
        assertThat(buffer.position()).isEqualTo(1);
    }

    @Test
    void readsJdbcArrays() {
        java.sql.Array array =
                sqlArray(new Object[] {new BigDecimal("1.50"), LocalDate.of(2024, 2, 29)}, null);

        assertThat(ColumnValues.toJsonValue(array))
                .isEqualTo(List.of(new BigDecimal("1.50"), "2024-02-29"));
        assertThatThrownBy(
                        () -> ColumnValues.toJsonValue(sqlArray(null, new SQLException("closed"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot read SQL array: closed");
    }

    @Test
    void rowsKeepColumnOrderAndAreUnmodifiable() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("z", 1);
        row.put("a", null);
        row.put("m", List.of(1));

        Map<String, Object> json = ColumnValues.toJsonRow(row);

        assertThat(json.keySet()).containsExactly("z", "a", "m");
        assertThatThrownBy(() -> json.put("b", 1))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(ColumnValues.toJsonRow(null)).isNull();
    }

    @Test
    void rejectsOutOfRangeTemporalValues() {
        assertThatThrownBy(() -> ColumnValues.toJsonValue(LocalDateTime.MAX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "date/time out of range (years 0000-9999): +999999999-12-31T23:59:59.999999999");
        assertThatThrownBy(() -> ColumnValues.toJsonValue(LocalDate.of(-1, 12, 31)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("date/time out of range (years 0000-9999): -0001-12-31");
        assertThatThrownBy(() -> ColumnValues.toJsonValue(Instant.MAX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("date/time out of range (years 0000-9999)");
        assertThatThrownBy(
                        () ->
                                ColumnValues.toJsonValue(
                                        OffsetDateTime.of(
                                                9999, 12, 31, 23, 0, 0, 0, ZoneOffset.ofHours(-2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("date/time out of range (years 0000-9999)");
    }

    @Test
    void rejectsUnsupportedTypesNamingTheColumn() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1);
        row.put("weird", new StringBuilder[] {new StringBuilder("ok")});
        row.put("bad", List.of(1, Thread.State.NEW));

        assertThatThrownBy(() -> ColumnValues.toJsonRow(row))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "column 'bad': array element 1: unsupported column value type java.lang.Thread$State;"
                                + " supported: null, Boolean");
        assertThatThrownBy(
                        () ->
                                ColumnValues.toJsonValue(
                                        new java.util.concurrent.atomic.AtomicLong(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "unsupported column value type java.util.concurrent.atomic.AtomicLong");
        Map<Object, Object> intKeys = new LinkedHashMap<>();
        intKeys.put(1, "x");
        assertThatThrownBy(() -> ColumnValues.toJsonValue(intKeys))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key names must be non-null strings, got 1");
        assertThatThrownBy(() -> new JsonText(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("json text must not be null (use a null column)");
    }

    @Test
    void formattersAreUsableOnTheirOwn() {
        assertThat(ColumnValues.formatTimestamp(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 6_000)))
                .isEqualTo("2024-01-02 03:04:05.000006");
        assertThat(ColumnValues.formatTimestampUtc(Instant.parse("2024-01-02T03:04:05Z")))
                .isEqualTo("2024-01-02 03:04:05Z");
        assertThat(ColumnValues.formatDate(LocalDate.of(987, 6, 5))).isEqualTo("0987-06-05");
        assertThat(ColumnValues.formatTime(LocalTime.of(0, 0, 0, 10_000)))
                .isEqualTo("00:00:00.00001");
        assertThat(ColumnValues.encodeBytes(new byte[] {'h', 'i'})).isEqualTo("aGk=");
    }

    private static String jsonOf(Object model) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1);
        row.put("v", model);
        String json = ChangeEventJson.keyToJson(row);
        return json.substring("{\"id\":1,\"v\":".length(), json.length() - 1);
    }

    private static Object readBack(String json) {
        return ChangeEventJson.keyFromBytes(
                        ("{\"v\":" + json + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .get("v");
    }

    private static Map<String, Object> orderedMap(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }

    private static java.sql.Array sqlArray(Object[] elements, SQLException failure) {
        return (java.sql.Array)
                Proxy.newProxyInstance(
                        ColumnValuesTest.class.getClassLoader(),
                        new Class<?>[] {java.sql.Array.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("getArray")
                                    && method.getParameterCount() == 0) {
                                if (failure != null) {
                                    throw failure;
                                }
                                return elements;
                            }
                            throw new UnsupportedOperationException(method.getName());
                        });
    }
}
