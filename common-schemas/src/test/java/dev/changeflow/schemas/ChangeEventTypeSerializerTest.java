package dev.changeflow.schemas;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangeEventTypeSerializerTest {

    @Test
    void typeExtractionUsesTheCustomTypeInfo() {
        assertThat(TypeInformation.of(ChangeEvent.class)).isSameAs(ChangeEventTypeInfo.INSTANCE);
        assertThat(new ChangeEventDeserializationSchema().getProducedType())
                .isEqualTo(TypeInformation.of(ChangeEvent.class));
    }

    @Test
    void typeExtractionUsesItInsideTuplesAndPojos() {
        TypeInformation<Tuple2<String, ChangeEvent>> tuple =
                TypeInformation.of(new TypeHint<Tuple2<String, ChangeEvent>>() {});
        assertThat(((TupleTypeInfo<?>) tuple).getTypeAt(1)).isEqualTo(ChangeEventTypeInfo.INSTANCE);

        TypeInformation<Wrapper> pojo = TypeInformation.of(Wrapper.class);
        assertThat(pojo).isInstanceOf(PojoTypeInfo.class);
        assertThat(((PojoTypeInfo<Wrapper>) pojo).getTypeAt("event"))
                .isEqualTo(ChangeEventTypeInfo.INSTANCE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.changeflow.schemas.Golden#files")
    void roundTripsEveryGoldenEvent(String file, ChangeEvent event) throws IOException {
        TypeSerializer<ChangeEvent> serializer =
                TypeInformation.of(ChangeEvent.class).createSerializer(new SerializerConfigImpl());

        ChangeEvent back = roundTrip(serializer, event);

        assertThat(back).isEqualTo(event);
        assertThat(back.row().keySet()).containsExactlyElementsOf(event.row().keySet());
        assertThat(ChangeEventJson.toJson(back)).isEqualTo(Golden.compact(file));
    }

    @Test
    void keepsValueTypesScaleAndNesting() throws IOException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("z", new BigDecimal("-0.0100"));
        row.put("a", new java.math.BigInteger("123456789012345678901234567890"));
        row.put("nested", List.of(List.of(1, "x"), Map.of("k", true)));
        row.put("empty", List.of());
        row.put("nothing", null);
        row.put("long_text", "x".repeat(70_000));
        ChangeEvent event = ChangeEvent.create(Golden.logSource(1, "p", null), 2, row);

        ChangeEvent back = roundTrip(ChangeEventTypeSerializer.INSTANCE, event);

        assertThat(back).isEqualTo(event);
        assertThat(back.after().keySet())
                .containsExactly("z", "a", "nested", "empty", "nothing", "long_text");
        assertThat(((BigDecimal) back.after().get("z")).scale()).isEqualTo(4);
        assertThat(back.source().txId()).isNull();
    }

    @Test
    void worksWithGenericTypesDisabled() throws IOException {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);

        TypeSerializer<Wrapper> serializer =
                TypeInformation.of(Wrapper.class).createSerializer(config);
        Wrapper wrapper = new Wrapper();
        wrapper.name = "w";
        wrapper.event = Golden.update();

        Wrapper back = roundTrip(serializer, wrapper);
        assertThat(back.name).isEqualTo("w");
        assertThat(back.event).isEqualTo(Golden.update());
    }

    @Test
    @SuppressWarnings("deprecation")
    void executionConfigPathGivesTheSameSerializer() {
        assertThat(ChangeEventTypeInfo.INSTANCE.createSerializer(new ExecutionConfig()))
                .isSameAs(ChangeEventTypeSerializer.INSTANCE);
    }

    @Test
    void copiesAreTheSameImmutableInstance() throws IOException {
        ChangeEventTypeSerializer serializer = ChangeEventTypeSerializer.INSTANCE;
        ChangeEvent event = Golden.insert();

        assertThat(serializer.isImmutableType()).isTrue();
        assertThat(serializer.copy(event)).isSameAs(event);
        assertThat(serializer.copy(event, Golden.delete())).isSameAs(event);
        assertThat(serializer.duplicate()).isSameAs(serializer);

        DataOutputSerializer original = new DataOutputSerializer(256);
        serializer.serialize(event, original);
        DataOutputSerializer copied = new DataOutputSerializer(256);
        serializer.copy(new DataInputDeserializer(original.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(original.getCopyOfBuffer());
    }

    @Test
    void readsManyEventsFromOneStream() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (ChangeEvent event : Golden.events()) {
            ChangeEventTypeSerializer.INSTANCE.serialize(event, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        List<ChangeEvent> back = new ArrayList<>();
        while (in.available() > 0) {
            back.add(ChangeEventTypeSerializer.INSTANCE.deserialize(null, in));
        }
        assertThat(back).containsExactlyElementsOf(Golden.events());
    }

    @Test
    void rejectsCorruptData() {
        assertThatThrownBy(
                        () ->
                                ChangeEventTypeSerializer.INSTANCE.deserialize(
                                        new DataInputDeserializer(new byte[] {'x'})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown op 'x', expected one of r, c, u, d");
    }

    @Test
    void snapshotRestoresACompatibleSerializer() throws IOException {
        TypeSerializerSnapshot<ChangeEvent> snapshot =
                ChangeEventTypeSerializer.INSTANCE.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);

        TypeSerializerSnapshot<ChangeEvent> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(out.getCopyOfBuffer()),
                        getClass().getClassLoader());

        assertThat(restored)
                .isInstanceOf(ChangeEventTypeSerializer.ChangeEventTypeSerializerSnapshot.class);
        assertThat(restored.restoreSerializer()).isEqualTo(ChangeEventTypeSerializer.INSTANCE);
        TypeSerializerSchemaCompatibility<ChangeEvent> compatibility =
                ChangeEventTypeSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }

    @Test
    void typeInfoAndSerializerSurviveJavaSerialization() throws Exception {
        TypeInformation<ChangeEvent> typeInfo =
                InstantiationUtil.clone(ChangeEventTypeInfo.INSTANCE, getClass().getClassLoader());
        TypeSerializer<ChangeEvent> serializer =
                InstantiationUtil.clone(
                        ChangeEventTypeSerializer.INSTANCE, getClass().getClassLoader());

        assertThat(typeInfo).isEqualTo(ChangeEventTypeInfo.INSTANCE);
        assertThat(serializer).isEqualTo(ChangeEventTypeSerializer.INSTANCE);
        assertThat(roundTrip(serializer, Golden.delete())).isEqualTo(Golden.delete());
    }

    private static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T back = serializer.deserialize(in);
        assertThat(in.available()).as("all bytes consumed").isZero();
        return back;
    }

    /** A POJO holding an event, as a job's own types would. */
    public static class Wrapper {
        public String name;
        public ChangeEvent event;
    }
}
