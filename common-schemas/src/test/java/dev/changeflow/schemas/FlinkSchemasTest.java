package dev.changeflow.schemas;

import org.apache.flink.util.Collector;
import org.apache.flink.util.InstantiationUtil;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlinkSchemasTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.changeflow.schemas.Golden#files")
    void serializationSchemaWritesTheGoldenJson(String file, ChangeEvent event) {
        byte[] bytes = new ChangeEventSerializationSchema().serialize(event);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(Golden.compact(file));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.changeflow.schemas.Golden#files")
    void deserializationSchemaReadsTheGoldenJson(String file, ChangeEvent event) throws Exception {
        ChangeEventDeserializationSchema schema = new ChangeEventDeserializationSchema();

        assertThat(schema.deserialize(Golden.read(file).getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(event);
        assertThat(schema.isEndOfStream(event)).isFalse();
    }

    @Test
    void tombstonesProduceNoRecord() throws Exception {
        ChangeEventDeserializationSchema schema = new ChangeEventDeserializationSchema();
        List<ChangeEvent> out = new ArrayList<>();

        assertThat(schema.deserialize(null)).isNull();
        schema.deserialize(null, collector(out));
        schema.deserialize(ChangeEventJson.toBytes(Golden.insert()), collector(out));

        assertThat(out).containsExactly(Golden.insert());
    }

    @Test
    void malformedInputThrowsTheFormatException() {
        assertThatThrownBy(
                        () ->
                                new ChangeEventDeserializationSchema()
                                        .deserialize(
                                                "{\"op\":\"c\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ChangeEventFormatException.class)
                .hasMessage("missing field 'ts_ms'");
    }

    @Test
    void keySchemaWritesThePrimaryKeyJson() {
        assertThat(
                        string(
                                new ChangeEventKeySerializationSchema(List.of("id"))
                                        .serialize(Golden.delete())))
                .isEqualTo("{\"id\":1001}");
        assertThat(
                        string(
                                new ChangeEventKeySerializationSchema(List.of("name", "id"))
                                        .serialize(Golden.insert())))
                .isEqualTo("{\"name\":\"Grüße, \\\"Welt\\\"\\n\",\"id\":1001}");
    }

    @Test
    void keySchemaResolvesTheKeyPerTable() throws Exception {
        Map<String, List<String>> keys =
                Map.of("products", List.of("id"), "orders", List.of("order_no"));
        ChangeEventKeySerializationSchema schema =
                new ChangeEventKeySerializationSchema(source -> keys.get(source.table()));
        Map<String, Object> order = new LinkedHashMap<>();
        order.put("order_no", "A-1");
        order.put("total", 3);
        ChangeEvent orderEvent =
                ChangeEvent.create(
                        SourceInfo.builder(Connector.QUERY, "shop", "public", "orders")
                                .tsMs(1)
                                .position(Positions.ofSequence(1))
                                .build(),
                        2,
                        order);

        ChangeEventKeySerializationSchema copy =
                InstantiationUtil.clone(schema, getClass().getClassLoader());

        assertThat(string(copy.serialize(orderEvent))).isEqualTo("{\"order_no\":\"A-1\"}");
        assertThat(string(copy.serialize(Golden.snapshotRead()))).isEqualTo("{\"id\":1}");
    }

    @Test
    void keySchemaRejectsMissingConfiguration() {
        assertThatThrownBy(() -> new ChangeEventKeySerializationSchema(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("primary key columns must not be empty");
        assertThatThrownBy(() -> new ChangeEventKeySerializationSchema((PrimaryKeyResolver) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("primary key resolver must not be null");
    }

    @Test
    void schemasAreJavaSerializable() throws Exception {
        ClassLoader loader = getClass().getClassLoader();
        ChangeEventSerializationSchema ser =
                InstantiationUtil.clone(new ChangeEventSerializationSchema(), loader);
        ChangeEventDeserializationSchema de =
                InstantiationUtil.clone(new ChangeEventDeserializationSchema(), loader);

        assertThat(de.deserialize(ser.serialize(Golden.update()))).isEqualTo(Golden.update());
    }

    private static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Collector<ChangeEvent> collector(List<ChangeEvent> out) {
        return new Collector<>() {
            @Override
            public void collect(ChangeEvent record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };
    }
}
