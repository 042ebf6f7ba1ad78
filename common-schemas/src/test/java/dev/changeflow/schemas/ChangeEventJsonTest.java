package dev.changeflow.schemas;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ChangeEventJsonTest {

    private static final String SOURCE =
            "{\"connector\":\"log\",\"db\":\"shop\",\"schema\":\"public\",\"table\":\"t\","
                    + "\"ts_ms\":1,\"snapshot\":\"false\",\"position\":\"p1\",\"txId\":null}";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.changeflow.schemas.Golden#files")
    void writesExactlyTheGoldenFile(String file, ChangeEvent event) {
        assertThat(ChangeEventJson.toJson(event)).isEqualTo(Golden.compact(file));
        assertThat(new String(ChangeEventJson.toBytes(event), StandardCharsets.UTF_8))
                .isEqualTo(Golden.compact(file));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.changeflow.schemas.Golden#files")
    void readsTheGoldenFileBackIntoTheSameEvent(String file, ChangeEvent expected) {
        ChangeEvent read = ChangeEventJson.fromJson(Golden.read(file));

        assertThat(read).isEqualTo(expected);
        assertThat(read.row().keySet()).containsExactlyElementsOf(expected.row().keySet());
        assertThat(ChangeEventJson.fromBytes(Golden.read(file).getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.changeflow.schemas.Golden#files")
    void roundTripsEveryOp(String file, ChangeEvent event) {
        ChangeEvent back = ChangeEventJson.fromBytes(ChangeEventJson.toBytes(event));

        assertThat(back).isEqualTo(event);
        assertThat(back.op()).isEqualTo(event.op());
        assertThat(back.source()).isEqualTo(event.source());
        assertThat(ChangeEventJson.toJson(back)).isEqualTo(ChangeEventJson.toJson(event));
    }

    @Test
    void goldenValuesReadAsTheJsonValueModel() {
        Map<String, Object> after = ChangeEventJson.fromJson(Golden.read("insert.json")).after();

        assertThat(after.get("id")).isEqualTo(1001L);
        assertThat(after.get("qty")).isEqualTo(-7L);
        assertThat(after.get("price")).isEqualTo(new BigDecimal("-1234.5600"));
        assertThat(((BigDecimal) after.get("price")).scale()).isEqualTo(4);
        assertThat(after.get("big_count")).isEqualTo(new BigInteger("18446744073709551615"));
        assertThat(after.get("ratio")).isEqualTo(new BigDecimal("0.1"));
        assertThat(after.get("tags")).isEqualTo(java.util.Arrays.asList("a", null, "c"));
        assertThat(after.get("scores")).isEqualTo(List.of());
        assertThat(after.get("labels")).isEqualTo(Map.of("k", "v"));
        assertThat(after).containsEntry("note", null);
        assertThat(after.get("score")).isEqualTo("NaN");
    }

    @Test
    void keepsDecimalsExactBeyondDoublePrecision() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1);
        row.put("amount", new BigDecimal("-12345678901234567890.123456789012345678"));
        ChangeEvent event = ChangeEvent.create(source(), 5, row);

        String json = ChangeEventJson.toJson(event);

        assertThat(json).contains("\"amount\":-12345678901234567890.123456789012345678");
        assertThat(ChangeEventJson.fromJson(json).after().get("amount"))
                .isEqualTo(new BigDecimal("-12345678901234567890.123456789012345678"));
    }

    @Test
    void writesNullColumnsAndNullTxIdExplicitly() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1);
        row.put("gone", null);
        ChangeEvent event = ChangeEvent.create(source(), 5, row);

        String json = ChangeEventJson.toJson(event);

        assertThat(json)
                .isEqualTo(
                        "{\"before\":null,\"after\":{\"id\":1,\"gone\":null},\"source\":"
                                + SOURCE
                                + ",\"op\":\"c\",\"ts_ms\":5}");
        assertThat(ChangeEventJson.fromJson(json).after()).containsEntry("gone", null);
    }

    @Test
    void toleratesUnknownFieldsEverywhere() {
        String json =
                "{\"schema_version\":7,\"before\":null,"
                        + "\"after\":{\"id\":1},"
                        + "\"source\":{\"version\":\"1.9.8.Final\",\"connector\":\"query\","
                        + "\"name\":\"srv\",\"db\":\"shop\",\"schema\":\"public\",\"table\":\"t\","
                        + "\"ts_ms\":1,\"snapshot\":\"false\",\"position\":\"p1\",\"txId\":9,"
                        + "\"lsn\":123,\"extra\":{\"nested\":[1,2]}},"
                        + "\"op\":\"c\",\"ts_ms\":5,"
                        + "\"transaction\":{\"id\":\"9\",\"total_order\":1}}";

        ChangeEvent event = ChangeEventJson.fromJson(json);

        assertThat(event.op()).isEqualTo(Op.CREATE);
        assertThat(event.after()).isEqualTo(Map.of("id", 1L));
        assertThat(event.source().connector()).isEqualTo(Connector.QUERY);
        assertThat(event.source().txId()).isEqualTo(9L);
        assertThat(event.tsMs()).isEqualTo(5L);
    }

    @Test
    void unwrapsASchemaPayloadEnvelope() {
        String json =
                "{\"schema\":{\"type\":\"struct\"},\"payload\":{\"before\":null,"
                        + "\"after\":{\"id\":1},\"source\":"
                        + SOURCE
                        + ",\"op\":\"r\",\"ts_ms\":5}}";

        ChangeEvent event = ChangeEventJson.fromJson(json);

        assertThat(event.op()).isEqualTo(Op.READ);
        assertThat(event.after()).isEqualTo(Map.of("id", 1L));
    }

    @Test
    void readsOptionalSourceFieldsAsNullOrFalseWhenMissing() {
        String json =
                "{\"after\":{\"id\":1},\"source\":{\"connector\":\"trigger\",\"db\":\"shop\","
                        + "\"table\":\"t\",\"ts_ms\":1,\"position\":\"p\"},\"op\":\"c\",\"ts_ms\":5}";

        ChangeEvent event = ChangeEventJson.fromJson(json);

        assertThat(event.before()).isNull();
        assertThat(event.source().schema()).isNull();
        assertThat(event.source().snapshot()).isFalse();
        assertThat(event.source().txId()).isNull();
    }

    static Stream<Arguments> snapshotValues() {
        return Stream.of(
                arguments("\"true\"", true),
                arguments("\"last\"", true),
                arguments("\"first\"", true),
                arguments("\"incremental\"", true),
                arguments("\"last_in_data_collection\"", true),
                arguments("\"false\"", false),
                arguments("true", true),
                arguments("false", false),
                arguments("null", false));
    }

    @ParameterizedTest(name = "snapshot {0} -> {1}")
    @MethodSource("snapshotValues")
    void readsDebeziumSnapshotMarkers(String snapshot, boolean expected) {
        String json =
                "{\"after\":{\"id\":1},\"source\":{\"connector\":\"log\",\"db\":\"d\","
                        + "\"table\":\"t\",\"ts_ms\":1,\"position\":\"p\",\"snapshot\":"
                        + snapshot
                        + "},\"op\":\"r\",\"ts_ms\":5}";

        assertThat(ChangeEventJson.fromJson(json).source().snapshot()).isEqualTo(expected);
    }

    @Test
    void writesSnapshotAsDebeziumString() {
        assertThat(ChangeEventJson.toJson(Golden.snapshotRead())).contains("\"snapshot\":\"true\"");
        assertThat(ChangeEventJson.toJson(Golden.insert())).contains("\"snapshot\":\"false\"");
    }

    static Stream<Arguments> malformed() {
        String c = "\"after\":{\"id\":1},\"source\":" + SOURCE + ",\"ts_ms\":5";
        return Stream.of(
                arguments("hello", "not valid JSON: Unrecognized token 'hello'"),
                arguments("{\"op\":", "not valid JSON: Unexpected end-of-input"),
                arguments("", "empty input, expected a JSON object"),
                arguments("[1,2]", "expected a JSON object at top level, got array"),
                arguments("\"c\"", "expected a JSON object at top level, got string"),
                arguments("{" + c + "} {}", "trailing content after the JSON object"),
                arguments("{" + c + ",\"op\":\"c\",\"op\":\"u\"}", "Duplicate field 'op'"),
                arguments("{" + c + "}", "missing field 'op'"),
                arguments("{" + c + ",\"op\":null}", "field 'op' must be a string, got null"),
                arguments("{" + c + ",\"op\":1}", "field 'op' must be a string, got number"),
                arguments(
                        "{" + c + ",\"op\":\"x\"}",
                        "field 'op': unknown op 'x', expected one of r, c, u, d"),
                arguments(
                        "{" + c + ",\"op\":\"C\"}",
                        "field 'op': unknown op 'C', expected one of r, c, u, d"),
                arguments(
                        "{\"source\":" + SOURCE + ",\"ts_ms\":5,\"op\":\"c\"}",
                        "field 'after' is missing but op 'c' requires the new row"),
                arguments(
                        "{\"after\":null,\"source\":" + SOURCE + ",\"ts_ms\":5,\"op\":\"r\"}",
                        "field 'after' is null but op 'r' requires the new row"),
                arguments(
                        "{\"before\":null," + c + ",\"op\":\"u\"}",
                        "field 'before' is null but op 'u' requires the old row"),
                arguments(
                        "{\"after\":null,\"source\":" + SOURCE + ",\"ts_ms\":5,\"op\":\"d\"}",
                        "field 'before' is missing but op 'd' requires the old row"),
                arguments(
                        "{\"before\":{\"id\":1}," + c + ",\"op\":\"c\"}",
                        "invalid change event: before must be null for op 'c' (create)"),
                arguments(
                        "{\"before\":{\"id\":1}," + c + ",\"op\":\"d\"}",
                        "invalid change event: after must be null for op 'd'"),
                arguments(
                        "{\"after\":\"{}\",\"source\":" + SOURCE + ",\"ts_ms\":5,\"op\":\"c\"}",
                        "field 'after' must be an object or null, got string"),
                arguments(
                        "{\"after\":{\"id\":1},\"source\":" + SOURCE + ",\"op\":\"c\"}",
                        "missing field 'ts_ms'"),
                arguments(
                        "{\"after\":{\"id\":1},\"source\":"
                                + SOURCE
                                + ",\"op\":\"c\",\"ts_ms\":\"5\"}",
                        "field 'ts_ms' must be an integer (epoch milliseconds), got string '5'"),
                arguments(
                        "{\"after\":{\"id\":1},\"source\":"
                                + SOURCE
                                + ",\"op\":\"c\",\"ts_ms\":1.5}",
                        "field 'ts_ms' must be an integer (epoch milliseconds), got number 1.5"),
                arguments(
                        "{\"after\":{\"id\":1},\"source\":"
                                + SOURCE
                                + ",\"op\":\"c\",\"ts_ms\":-1}",
                        "invalid change event: ts_ms must be epoch milliseconds >= 0, got -1"),
                arguments(
                        "{\"after\":{\"id\":1},\"op\":\"c\",\"ts_ms\":5}",
                        "missing field 'source'"),
                arguments(
                        "{\"after\":{\"id\":1},\"source\":[],\"op\":\"c\",\"ts_ms\":5}",
                        "field 'source' must be an object, got array"),
                arguments(
                        "{" + c.replace("\"log\"", "\"debezium\"") + ",\"op\":\"c\"}",
                        "field 'source.connector': unknown connector 'debezium', expected one of"
                                + " log, trigger, query"),
                arguments(
                        "{" + c.replace(",\"position\":\"p1\"", "") + ",\"op\":\"c\"}",
                        "missing field 'source.position'"),
                arguments(
                        "{" + c.replace("\"p1\"", "42") + ",\"op\":\"c\"}",
                        "field 'source.position' must be a string, got number"),
                arguments(
                        "{" + c.replace("\"db\":\"shop\"", "\"db\":\"\"") + ",\"op\":\"c\"}",
                        "invalid change event: source.db must be non-blank, got ''"),
                arguments(
                        "{" + c.replace("\"table\":\"t\",", "") + ",\"op\":\"c\"}",
                        "missing field 'source.table'"),
                arguments(
                        "{" + c.replace("\"ts_ms\":1,", "\"ts_ms\":null,") + ",\"op\":\"c\"}",
                        "field 'source.ts_ms' is null"),
                arguments(
                        "{"
                                + c.replace("\"snapshot\":\"false\"", "\"snapshot\":\"yes\"")
                                + ",\"op\":\"c\"}",
                        "field 'source.snapshot' must be a boolean or one of Debezium's values"
                                + " false, first, first_in_data_collection, incremental, last,"
                                + " last_in_data_collection, true; got string 'yes'"),
                arguments(
                        "{" + c.replace("\"txId\":null", "\"txId\":\"7\"") + ",\"op\":\"c\"}",
                        "field 'source.txId' must be a 64-bit integer or null, got string"),
                arguments(
                        "{" + c.replace("\"schema\":\"public\"", "\"schema\":3") + ",\"op\":\"c\"}",
                        "field 'source.schema' must be a string or null, got number"),
                arguments(
                        "{\"after\":{\"x\":NaN},"
                                + c.substring(c.indexOf("\"source\""))
                                + ",\"op\":\"c\"}",
                        "not valid JSON: Non-standard token 'NaN'"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformed")
    void rejectsMalformedInputWithAClearMessage(String json, String message) {
        assertThatThrownBy(() -> ChangeEventJson.fromJson(json))
                .isInstanceOf(ChangeEventFormatException.class)
                .hasMessageContaining(message);
        assertThatThrownBy(() -> ChangeEventJson.fromBytes(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ChangeEventFormatException.class)
                .hasMessageContaining(message);
    }

    @Test
    void rejectsNullAndNonUtf8Input() {
        assertThatThrownBy(() -> ChangeEventJson.fromBytes(null))
                .isInstanceOf(ChangeEventFormatException.class)
                .hasMessage("message is null (a Kafka tombstone carries no change event)");
        assertThatThrownBy(
                        () ->
                                ChangeEventJson.fromBytes(
                                        new byte[] {
                                            '{', '"', (byte) 0xC3, '(', '"', ':', '1', '}'
                                        }))
                .isInstanceOf(ChangeEventFormatException.class)
                .hasMessageStartingWith("not valid JSON: Invalid UTF-8");
    }

    @Test
    void writesAndReadsKeysInPrimaryKeyOrder() {
        ChangeEvent event = Golden.insert();

        assertThat(ChangeEventJson.keyToJson(event.key(List.of("id")))).isEqualTo("{\"id\":1001}");
        byte[] composite = ChangeEventJson.keyToBytes(event.key(List.of("uid", "id")));
        assertThat(new String(composite, StandardCharsets.UTF_8))
                .isEqualTo("{\"uid\":\"123e4567-e89b-12d3-a456-426614174000\",\"id\":1001}");
        assertThat(ChangeEventJson.keyFromBytes(composite).keySet()).containsExactly("uid", "id");
        assertThat(ChangeEventJson.keyFromBytes(composite))
                .isEqualTo(Map.of("uid", "123e4567-e89b-12d3-a456-426614174000", "id", 1001L));
    }

    @Test
    void rejectsAKeyThatIsNotAnObject() {
        assertThatThrownBy(
                        () -> ChangeEventJson.keyFromBytes("42".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ChangeEventFormatException.class)
                .hasMessage("expected a JSON object at top level, got number");
    }

    private static SourceInfo source() {
        return SourceInfo.builder(Connector.LOG, "shop", "public", "t")
                .tsMs(1)
                .position("p1")
                .build();
    }
}
