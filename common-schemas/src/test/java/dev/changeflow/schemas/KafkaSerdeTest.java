package dev.changeflow.schemas;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaSerdeTest {

    private static final String TOPIC = "cdc.shop.public.products";

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.changeflow.schemas.Golden#files")
    void valuesRoundTripAsTheGoldenJson(String file, ChangeEvent event) {
        try (ChangeEventKafkaSerializer serializer = new ChangeEventKafkaSerializer();
                ChangeEventKafkaDeserializer deserializer = new ChangeEventKafkaDeserializer()) {
            byte[] bytes = serializer.serialize(TOPIC, event);

            assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(Golden.compact(file));
            assertThat(deserializer.deserialize(TOPIC, bytes)).isEqualTo(event);
        }
    }

    @Test
    void tombstonesStayNull() {
        try (ChangeEventKafkaSerializer serializer = new ChangeEventKafkaSerializer();
                ChangeEventKafkaDeserializer deserializer = new ChangeEventKafkaDeserializer();
                PrimaryKeyKafkaSerializer keySerializer = new PrimaryKeyKafkaSerializer();
                PrimaryKeyKafkaDeserializer keyDeserializer = new PrimaryKeyKafkaDeserializer()) {
            assertThat(serializer.serialize(TOPIC, null)).isNull();
            assertThat(deserializer.deserialize(TOPIC, null)).isNull();
            assertThat(keySerializer.serialize(TOPIC, null)).isNull();
            assertThat(keyDeserializer.deserialize(TOPIC, null)).isNull();
        }
    }

    @Test
    void keysRoundTripInKeyOrder() {
        try (PrimaryKeyKafkaSerializer serializer = new PrimaryKeyKafkaSerializer();
                PrimaryKeyKafkaDeserializer deserializer = new PrimaryKeyKafkaDeserializer()) {
            Map<String, Object> key = Golden.update().key(List.of("uid", "id"));

            byte[] bytes = serializer.serialize(TOPIC, key);

            assertThat(new String(bytes, StandardCharsets.UTF_8))
                    .isEqualTo("{\"uid\":\"123e4567-e89b-12d3-a456-426614174000\",\"id\":1001}");
            assertThat(deserializer.deserialize(TOPIC, bytes).keySet())
                    .containsExactly("uid", "id");
            assertThat(deserializer.deserialize(TOPIC, bytes)).isEqualTo(key);
        }
    }

    @Test
    void malformedValuesThrowTheFormatException() {
        try (ChangeEventKafkaDeserializer deserializer = new ChangeEventKafkaDeserializer()) {
            assertThatThrownBy(
                            () ->
                                    deserializer.deserialize(
                                            TOPIC, "{}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(ChangeEventFormatException.class)
                    .hasMessage("missing field 'op'");
        }
    }
}
