package dev.changeflow.schemas;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeadLetterTest {

    private static final DeadLetter TEXT =
            new DeadLetter(
                    "column 't': time 24:00 is out of range",
                    "ingest",
                    "log:shop.public.orders",
                    "00000000/016B3748",
                    "{\"id\":1}".getBytes(StandardCharsets.UTF_8),
                    1_704_164_645_123L);

    @Test
    void jsonRoundTripKeepsEveryFieldAndShowsTextPayloads() {
        byte[] json = DeadLetterJson.toBytes(TEXT);

        assertThat(new String(json, StandardCharsets.UTF_8))
                .contains("\"reason\":\"column 't': time 24:00 is out of range\"")
                .contains("\"origin\":\"log:shop.public.orders\"")
                .contains("\"payload_text\":\"{\\\"id\\\":1}\"");
        assertThat(DeadLetterJson.fromBytes(json)).isEqualTo(TEXT);
    }

    @Test
    void binaryPayloadsSurviveAsBase64WithoutText() {
        DeadLetter binary =
                DeadLetter.fromKafka(
                        "not JSON", "analytics", "orders", 2, 42L, new byte[] {(byte) 0xff, 0, 1});

        DeadLetter back = DeadLetterJson.fromBytes(DeadLetterJson.toBytes(binary));

        assertThat(back.payload()).containsExactly((byte) 0xff, 0, 1);
        assertThat(back.payloadText()).isNull();
        assertThat(back.origin()).isEqualTo("kafka:orders");
        assertThat(back.position()).isEqualTo("2:42");
    }

    @Test
    void somethingElseIsRejectedWithTheMissingField() {
        assertThatThrownBy(
                        () ->
                                DeadLetterJson.fromBytes(
                                        "{\"reason\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ChangeEventFormatException.class)
                .hasMessageContaining("'job'");
    }

    @Test
    void flinkSerializesItAsAPojoWithoutKryo() throws Exception {
        TypeInformation<DeadLetter> type = TypeInformation.of(DeadLetter.class);
        assertThat(type).isInstanceOf(PojoTypeInfo.class);

        TypeSerializer<DeadLetter> serializer = type.createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(TEXT, out);
        DeadLetter back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(back).isEqualTo(TEXT);
    }
}
