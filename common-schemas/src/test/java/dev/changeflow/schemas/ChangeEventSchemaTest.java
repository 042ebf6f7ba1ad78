package dev.changeflow.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Checks {@code schemas/change-event.schema.json} against the writer, the records and the golden
 * files.
 */
class ChangeEventSchemaTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode schema;
    private static JsonSchemaSubset validator;

    @BeforeAll
    static void loadSchema() throws Exception {
        try (InputStream in =
                ChangeEventSchemaTest.class.getResourceAsStream(
                        "/schemas/change-event.schema.json")) {
            assertThat(in).as("schema on the classpath").isNotNull();
            schema = MAPPER.readTree(in);
        }
        validator = new JsonSchemaSubset(schema);
    }

    @Test
    void isADraft202012SchemaUsingOnlyCheckedKeywords() {
        assertThat(schema.get("$schema").asText())
                .isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(validator.unsupportedKeywords()).isEmpty();
    }

    @Test
    void requiredFieldsAreExactlyWhatTheWriterEmitsAndTheRecordsHold() throws Exception {
        JsonNode written = MAPPER.readTree(ChangeEventJson.toJson(Golden.insert()));

        assertThat(texts(schema.get("required"))).containsExactlyElementsOf(fieldNames(written));
        assertThat(texts(schema.get("required")))
                .hasSize(ChangeEvent.class.getRecordComponents().length);
        JsonNode source = schema.at("/$defs/source");
        assertThat(texts(source.get("required")))
                .containsExactlyElementsOf(fieldNames(written.get("source")));
        assertThat(texts(source.get("required")))
                .hasSize(SourceInfo.class.getRecordComponents().length);
        assertThat(
                        Arrays.stream(SourceInfo.class.getRecordComponents())
                                .map(RecordComponent::getName))
                .containsExactly(
                        "connector",
                        "db",
                        "schema",
                        "table",
                        "tsMs",
                        "snapshot",
                        "position",
                        "txId");
    }

    @Test
    void enumsMatchTheJavaEnums() {
        assertThat(texts(schema.at("/properties/op/enum")))
                .containsExactlyElementsOf(Arrays.stream(Op.values()).map(Op::code).toList());
        assertThat(texts(schema.at("/$defs/source/properties/connector/enum")))
                .containsExactlyElementsOf(
                        Arrays.stream(Connector.values()).map(Connector::jsonName).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.changeflow.schemas.Golden#files")
    void goldenFilesAndWriterOutputAreValid(String file, ChangeEvent event) throws Exception {
        assertThat(validator.validate(MAPPER.readTree(Golden.read(file)))).isEmpty();
        assertThat(validator.validate(MAPPER.readTree(ChangeEventJson.toJson(event)))).isEmpty();
    }

    static Stream<Arguments> invalidDocuments() {
        return Stream.of(
                arguments("unknown op", edit(e -> e.put("op", "x")), "/op: \"x\" not in"),
                arguments(
                        "create with before",
                        edit(e -> e.set("before", e.get("after"))),
                        "/before: expected type \"null\""),
                arguments(
                        "create without after",
                        edit(e -> e.putNull("after")),
                        "/after: expected type \"object\""),
                arguments(
                        "update without before",
                        edit(
                                e -> {
                                    e.put("op", "u");
                                    e.putNull("before");
                                }),
                        "/before: expected type \"object\""),
                arguments(
                        "missing source.position",
                        edit(e -> ((ObjectNode) e.get("source")).remove("position")),
                        "/source: missing required property 'position'"),
                arguments(
                        "upper-case connector",
                        edit(e -> ((ObjectNode) e.get("source")).put("connector", "LOG")),
                        "/source/connector"),
                arguments(
                        "string ts_ms",
                        edit(e -> e.put("ts_ms", "5")),
                        "/ts_ms: expected type \"integer\""),
                arguments("negative ts_ms", edit(e -> e.put("ts_ms", -1)), "/ts_ms: -1 is below 0"),
                arguments(
                        "bad snapshot",
                        edit(e -> ((ObjectNode) e.get("source")).put("snapshot", "yes")),
                        "/source/snapshot"),
                arguments(
                        "missing op",
                        edit(e -> e.remove("op")),
                        ": missing required property 'op'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidDocuments")
    void rejectsDocumentsThatBreakTheContract(String name, JsonNode document, String error) {
        assertThat(validator.validate(document)).anySatisfy(e -> assertThat(e).contains(error));
    }

    private static JsonNode edit(Consumer<ObjectNode> change) {
        try {
            ObjectNode document = (ObjectNode) MAPPER.readTree(Golden.read("insert.json"));
            change.accept(document);
            return document;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
