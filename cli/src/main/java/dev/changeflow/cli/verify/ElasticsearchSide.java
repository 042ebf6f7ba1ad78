package dev.changeflow.cli.verify;

import dev.changeflow.jobs.sinks.ElasticsearchConnection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Documents of an index whose id is the row's key ({@code DocumentIds}: key parts joined by {@code
 * |}), read with the scroll API. Compared: the columns the index maps a field for (by name, by
 * camelCase, or as renamed); a deleted row is a missing document.
 */
final class ElasticsearchSide implements SinkSide {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 1000;

    private final String url;
    private final Map<String, String> indexByTable;
    private final Map<String, Map<String, String>> renamed;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param hosts the cluster's URLs ({@code http://host:9200}, comma-separated; the first is
     *     used)
     * @param indexByTable the index of each verified table, by table name or qualified name
     * @param renamed per table, the field of a column whose field has another name
     */
    ElasticsearchSide(
            String hosts,
            Map<String, String> indexByTable,
            Map<String, Map<String, String>> renamed) {
        this.url = ElasticsearchConnection.of(hosts).httpHosts()[0].toURI();
        this.indexByTable = indexByTable;
        this.renamed = renamed;
    }

    @Override
    public String name() {
        return "elasticsearch";
    }

    @Override
    public boolean covers(TableShape table) {
        return table.in(indexByTable) != null;
    }

    @Override
    public String target(TableShape table) {
        String index = table.in(indexByTable);
        if (index == null) {
            throw new IllegalArgumentException(
                    "no Elasticsearch index for "
                            + table.qualified()
                            + ": give --elasticsearch.index "
                            + table.name()
                            + "=INDEX");
        }
        return index;
    }

    @Override
    public Projection projection(TableShape table) throws IOException, InterruptedException {
        String index = target(table);
        JsonNode mapping = send("GET", "/" + index + "/_mapping", null);
        List<String> fields = new ArrayList<>();
        for (JsonNode perIndex : mapping) {
            perIndex.path("mappings").path("properties").fieldNames().forEachRemaining(fields::add);
        }
        return Projection.fields(table, fields, renamed);
    }

    @Override
    public void load(TableShape table, Projection projection, SortedStore store)
            throws IOException, InterruptedException {
        String index = target(table);
        ObjectNode query = JSON.createObjectNode().put("size", PAGE);
        query.putArray("sort").add("_doc");
        JsonNode page = send("POST", "/" + index + "/_search?scroll=1m", query);
        String scroll = page.path("_scroll_id").asText(null);
        try {
            while (page.path("hits").path("hits").size() > 0) {
                for (JsonNode hit : page.path("hits").path("hits")) {
                    put(table, projection, store, hit.path("_id").asText(), hit.path("_source"));
                }
                ObjectNode next = JSON.createObjectNode().put("scroll", "1m");
                next.put("scroll_id", scroll);
                page = send("POST", "/_search/scroll", next);
                scroll = page.path("_scroll_id").asText(scroll);
            }
        } finally {
            if (scroll != null) {
                ObjectNode clear = JSON.createObjectNode();
                clear.putArray("scroll_id").add(scroll);
                send("DELETE", "/_search/scroll", clear);
            }
        }
    }

    @Override
    public void refresh(
            TableShape table, Projection projection, SortedStore store, List<List<Object>> keys)
            throws IOException, InterruptedException {
        String index = target(table);
        send("POST", "/" + index + "/_refresh", null);
        for (List<Object> key : keys) {
            String id = dev.changeflow.jobs.sinks.DocumentIds.of(key.toArray());
            JsonNode doc =
                    send(
                            "GET",
                            "/" + index + "/_doc/" + URLEncoder.encode(id, StandardCharsets.UTF_8),
                            null);
            if (doc.path("found").asBoolean(false)) {
                put(table, projection, store, id, doc.path("_source"));
            } else {
                store.put(SortKeys.of(key), new SortedStore.StoredRow(null, true, Map.of()));
            }
        }
    }

    private void put(
            TableShape table,
            Projection projection,
            SortedStore store,
            String id,
            JsonNode source) {
        Map<String, Object> fields =
                JSON.convertValue(source, new com.fasterxml.jackson.core.type.TypeReference<>() {});
        store.put(
                SortKeys.of(projection.keyFromText(idParts(id))),
                new SortedStore.StoredRow(null, false, projection.ofSink(fields)));
    }

    /** {@code 42|7} -> [42, 7]: the parts of a {@code DocumentIds} id, unescaped. */
    static List<String> idParts(String id) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '\\' && i + 1 < id.length()) {
                part.append(id.charAt(++i));
            } else if (c == '|') {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        return parts;
    }

    private JsonNode send(String method, String path, JsonNode body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(url + path))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        HttpResponse<String> response =
                http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404 && path.contains("/_doc/")) {
            return JSON.readTree(response.body());
        }
        if (response.statusCode() >= 300) {
            throw new IOException(
                    "Elasticsearch at "
                            + url
                            + " answered "
                            + method
                            + " "
                            + path
                            + " with "
                            + response.statusCode()
                            + ": "
                            + abbreviate(response.body()));
        }
        return JSON.readTree(response.body());
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
