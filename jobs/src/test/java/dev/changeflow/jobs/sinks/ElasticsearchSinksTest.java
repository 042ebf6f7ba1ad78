package dev.changeflow.jobs.sinks;

import dev.changeflow.jobs.sinks.ElasticsearchTemplates.IndexTemplate;

import org.apache.flink.util.InstantiationUtil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.http.HttpHost;
import org.elasticsearch.action.DocWriteRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.update.UpdateRequest;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ElasticsearchSinksTest {

    record Order(long id, String status, long position) {
        Map<String, Object> document() {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("id", id);
            doc.put("status", status);
            doc.put("position", position);
            return doc;
        }
    }

    private static DocumentEmitter<Order> emitter(String versionField) {
        return new DocumentEmitter<>(
                order -> "orders",
                order -> DocumentIds.of(order.id()),
                Order::document,
                versionField);
    }

    @Test
    void anElementBecomesAWholeDocumentUnderItsId() {
        DocWriteRequest<?> request = emitter(null).request(new Order(7, "paid", 12));

        assertThat(request).isInstanceOf(IndexRequest.class);
        IndexRequest index = (IndexRequest) request;
        assertThat(index.index()).isEqualTo("orders");
        assertThat(index.id()).isEqualTo("7");
        assertThat(index.opType()).isEqualTo(DocWriteRequest.OpType.INDEX);
        assertThat(index.sourceAsMap())
                .containsEntry("id", 7)
                .containsEntry("status", "paid")
                .containsEntry("position", 12);
    }

    @Test
    void aVersionFieldMakesItAGuardedUpsert() {
        DocWriteRequest<?> request = emitter("position").request(new Order(7, "paid", 12));

        assertThat(request).isInstanceOf(UpdateRequest.class);
        UpdateRequest update = (UpdateRequest) request;
        assertThat(update.index()).isEqualTo("orders");
        assertThat(update.id()).isEqualTo("7");
        assertThat(update.scriptedUpsert()).isTrue();
        assertThat(update.upsertRequest()).isNotNull();
        assertThat(update.retryOnConflict()).isEqualTo(DocumentEmitter.RETRY_ON_CONFLICT);
        assertThat(update.script().getIdOrCode()).isEqualTo(DocumentEmitter.GUARD_SCRIPT);
        assertThat(update.script().getLang()).isEqualTo("painless");
        assertThat(update.script().getParams())
                .containsEntry("field", "position")
                .containsEntry("doc", new Order(7, "paid", 12).document());
    }

    @Test
    void aGuardedDocumentNeedsANumericVersion() {
        DocumentEmitter<Order> emitter =
                new DocumentEmitter<>(
                        order -> "orders",
                        order -> DocumentIds.of(order.id()),
                        order -> Map.of("id", order.id(), "position", "twelve"),
                        "position");
        assertThatThrownBy(() -> emitter.request(new Order(7, "paid", 12)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numeric version field 'position'");
    }

    @Test
    void idsMustBePresentAndFitElasticsearchsLimit() {
        DocumentEmitter<Order> blank =
                new DocumentEmitter<>(order -> "orders", order -> "", Order::document, null);
        assertThatThrownBy(() -> blank.request(new Order(1, "a", 1)))
                .hasMessageContaining("no document id");
        DocumentEmitter<Order> huge =
                new DocumentEmitter<>(
                        order -> "orders", order -> "x".repeat(513), Order::document, null);
        assertThatThrownBy(() -> huge.request(new Order(1, "a", 1)))
                .hasMessageContaining("512 bytes");
    }

    @Test
    void theEmitterSurvivesJavaSerialization() throws Exception {
        DocumentEmitter<Order> copy =
                InstantiationUtil.clone(emitter("position"), getClass().getClassLoader());
        assertThat(copy.request(new Order(3, "new", 1)).id()).isEqualTo("3");
    }

    @Test
    void connectionsParseCommaSeparatedUrls() {
        ElasticsearchConnection connection =
                ElasticsearchConnection.of(" http://es-1:9200, https://es-2:9243/ ,");
        assertThat(connection.urls()).containsExactly("http://es-1:9200", "https://es-2:9243");
        assertThat(connection.httpHosts())
                .containsExactly(
                        new HttpHost("es-1", 9200, "http"), new HttpHost("es-2", 9243, "https"));
        assertThat(connection.withCredentials("writer", "s3cret").toString())
                .contains("writer")
                .doesNotContain("s3cret");
    }

    @Test
    void badUrlsFailNamingTheUrl() {
        for (String bad : List.of("es-1:9200", "ftp://es:21", "http://es:9200/prefix", "")) {
            assertThatThrownBy(() -> ElasticsearchConnection.of("http://ok:9200," + bad + ",x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("http://host:9200");
        }
        assertThatThrownBy(() -> ElasticsearchConnection.of(" "))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                ElasticsearchConnection.of("http://es:9200")
                                        .withCredentials("u", null))
                .hasMessageContaining("username and a password");
    }

    @Test
    void theBuilderNamesWhatIsMissing() {
        assertThatThrownBy(
                        () ->
                                ElasticsearchSinks.<Order>documents()
                                        .connection(ElasticsearchConnection.of("http://es:9200"))
                                        .index("orders")
                                        .document(Order::document)
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no id: call .id(...)");
        assertThat(
                        ElasticsearchSinks.<Order>documents()
                                .connection(
                                        ElasticsearchConnection.of("http://es:9200")
                                                .withCredentials("u", "p"))
                                .index("orders")
                                .id(order -> DocumentIds.of(order.id()))
                                .document(Order::document)
                                .versionField("position")
                                .bulkFlushMaxActions(10)
                                .build())
                .isNotNull();
    }

    @Test
    void anIndexTemplateCarriesPatternsSettingsAndMappings() throws Exception {
        IndexTemplate template =
                IndexTemplate.of(
                                "orders",
                                List.of("orders*"),
                                "{\"properties\":{\"status\":{\"type\":\"keyword\"}}}")
                        .withSettings("{\"number_of_shards\":2}");

        JsonNode body = new ObjectMapper().readTree(template.body());

        assertThat(body.path("index_patterns").get(0).asText()).isEqualTo("orders*");
        assertThat(body.path("priority").asInt()).isEqualTo(100);
        assertThat(body.at("/template/settings/number_of_shards").asInt()).isEqualTo(2);
        assertThat(body.at("/template/mappings/properties/status/type").asText())
                .isEqualTo("keyword");
        assertThatThrownBy(() -> IndexTemplate.of("orders", List.of("orders*"), "{not json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mappings are not valid JSON");
        assertThatThrownBy(() -> IndexTemplate.of("orders", List.of(), "{}"))
                .hasMessageContaining("index pattern");
    }
}
