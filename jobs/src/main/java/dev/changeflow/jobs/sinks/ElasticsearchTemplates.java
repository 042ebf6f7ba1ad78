package dev.changeflow.jobs.sinks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Puts a job's index templates before it starts, so the indices its Elasticsearch sinks create get
 * the caller's mappings and settings instead of dynamic mapping. Uses the composable {@code
 * _index_template} API (Elasticsearch 7.8+), with plain JDK HTTP.
 *
 * <p>A template applies to indices created after it is put; existing indices keep their mapping.
 * Putting the same template again replaces it, so a job can call {@link #put} on every start. Where
 * a composable template matches, Elasticsearch ignores legacy {@code _template}s (like the local
 * stack's replicas-0 template): give the settings the index needs here.
 */
public final class ElasticsearchTemplates {

    /** One shard, no replica: indices that stay green on a one-node cluster. */
    public static final String SINGLE_NODE_SETTINGS =
            "{\"number_of_shards\":1,\"number_of_replicas\":0}";

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchTemplates.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * A composable index template.
     *
     * @param name the template's name
     * @param indexPatterns the index names it applies to, e.g. {@code orders*}
     * @param priority which template wins where patterns of two composable templates overlap
     * @param settingsJson index settings as a JSON object, e.g. {@code {"number_of_shards": 2}}, or
     *     null
     * @param mappingsJson mappings as a JSON object, e.g. {@code {"properties": {"status": {"type":
     *     "keyword"}}}}
     */
    public record IndexTemplate(
            String name,
            List<String> indexPatterns,
            int priority,
            String settingsJson,
            String mappingsJson) {

        public IndexTemplate {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("an index template needs a name");
            }
            if (indexPatterns == null || indexPatterns.isEmpty()) {
                throw new IllegalArgumentException(
                        "index template '" + name + "' needs at least one index pattern");
            }
            indexPatterns = List.copyOf(indexPatterns);
            if (priority < 0) {
                throw new IllegalArgumentException(
                        "index template '" + name + "': priority must be >= 0, got " + priority);
            }
            object(name, "settings", settingsJson);
            object(name, "mappings", mappingsJson);
        }

        /** A template with mappings only, priority 100. */
        public static IndexTemplate of(String name, List<String> indexPatterns, String mappings) {
            return new IndexTemplate(name, indexPatterns, 100, null, mappings);
        }

        /** The same template with these index settings. */
        public IndexTemplate withSettings(String settings) {
            return new IndexTemplate(name, indexPatterns, priority, settings, mappingsJson);
        }

        /** The request body of {@code PUT _index_template/<name>}. */
        public String body() {
            ObjectNode body = JSON.createObjectNode();
            indexPatterns.forEach(body.putArray("index_patterns")::add);
            body.put("priority", priority);
            ObjectNode template = body.putObject("template");
            JsonNode settings = object(name, "settings", settingsJson);
            if (settings != null) {
                template.set("settings", settings);
            }
            JsonNode mappings = object(name, "mappings", mappingsJson);
            if (mappings != null) {
                template.set("mappings", mappings);
            }
            return body.toString();
        }

        private static JsonNode object(String template, String what, String json) {
            if (json == null) {
                return null;
            }
            try {
                JsonNode node = JSON.readTree(json);
                if (node == null || !node.isObject()) {
                    throw new IllegalArgumentException(
                            "index template '"
                                    + template
                                    + "': "
                                    + what
                                    + " must be a JSON object");
                }
                return node;
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(
                        "index template '"
                                + template
                                + "': "
                                + what
                                + " are not valid JSON: "
                                + e.getOriginalMessage(),
                        e);
            }
        }
    }

    private ElasticsearchTemplates() {}

    /**
     * Puts {@code template}, trying the connection's nodes in order until one answers.
     *
     * @throws IllegalStateException naming the node and Elasticsearch's answer if no node accepts
     *     the template
     */
    public static void put(ElasticsearchConnection connection, IndexTemplate template) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String body = template.body();
        IOException unreachable = null;
        for (String url : connection.urls()) {
            String target =
                    url
                            + "/_index_template/"
                            + URLEncoder.encode(template.name(), StandardCharsets.UTF_8);
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(URI.create(target))
                            .timeout(TIMEOUT)
                            .header("Content-Type", "application/json")
                            .PUT(HttpRequest.BodyPublishers.ofString(body));
            authorization(connection).forEach(request::header);
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                LOG.warn("Elasticsearch node {} did not answer: {}", url, e.toString());
                unreachable = e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(
                        "interrupted while putting index template " + template.name(), e);
            }
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                        "Elasticsearch at "
                                + url
                                + " refused index template '"
                                + template.name()
                                + "' (HTTP "
                                + response.statusCode()
                                + "): "
                                + response.body());
            }
            LOG.info(
                    "put index template {} for {} on {}",
                    template.name(),
                    template.indexPatterns(),
                    url);
            return;
        }
        throw new IllegalStateException(
                "no Elasticsearch node of "
                        + connection.urls()
                        + " answered while putting index template '"
                        + template.name()
                        + "': "
                        + unreachable,
                unreachable);
    }

    private static Map<String, String> authorization(ElasticsearchConnection connection) {
        if (connection.username() == null) {
            return Map.of();
        }
        String credentials = connection.username() + ":" + connection.password();
        return Map.of(
                "Authorization",
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
}
