package dev.changeflow.jobs.sinks;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.elasticsearch.sink.ElasticsearchEmitter;
import org.apache.flink.connector.elasticsearch.sink.RequestIndexer;
import org.apache.flink.util.function.SerializableFunction;

import org.elasticsearch.action.DocWriteRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.update.UpdateRequest;
import org.elasticsearch.script.Script;
import org.elasticsearch.script.ScriptType;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Turns an element into one write of its whole document under its deterministic id: an index
 * request, or, with a version field, a guarded upsert that leaves a newer stored document alone.
 */
final class DocumentEmitter<T> implements ElasticsearchEmitter<T> {

    private static final long serialVersionUID = 1L;

    /**
     * Replaces the stored document unless it carries a higher version. Equal versions are written
     * again, so a replay of the newest value is harmless; an older one becomes a no-op ({@code
     * ctx.op = 'none'}), which the bulk response reports as a success.
     */
    static final String GUARD_SCRIPT =
            "def current = ctx._source[params.field];"
                    + " if (current == null || current <= params.doc[params.field]) {"
                    + " ctx._source.clear(); ctx._source.putAll(params.doc);"
                    + " } else { ctx.op = 'none'; }";

    /** Retries of a guarded upsert whose read-compare-write raced another write of the id. */
    static final int RETRY_ON_CONFLICT = 3;

    private final SerializableFunction<T, String> index;
    private final SerializableFunction<T, String> id;
    private final SerializableFunction<T, Map<String, Object>> document;
    private final String versionField;

    DocumentEmitter(
            SerializableFunction<T, String> index,
            SerializableFunction<T, String> id,
            SerializableFunction<T, Map<String, Object>> document,
            String versionField) {
        this.index = index;
        this.id = id;
        this.document = document;
        this.versionField = versionField;
    }

    @Override
    public void emit(T element, SinkWriter.Context context, RequestIndexer indexer) {
        DocWriteRequest<?> request = request(element);
        if (request instanceof UpdateRequest update) {
            indexer.add(update);
        } else {
            indexer.add((IndexRequest) request);
        }
    }

    /**
     * The write for {@code element}: an {@link IndexRequest}, or a guarded {@link UpdateRequest}.
     */
    DocWriteRequest<?> request(T element) {
        String indexName = index.apply(element);
        if (indexName == null || indexName.isBlank()) {
            throw new IllegalArgumentException("no index name for " + element);
        }
        String docId = id.apply(element);
        if (docId == null || docId.isEmpty()) {
            throw new IllegalArgumentException("no document id for " + element);
        }
        if (docId.getBytes(StandardCharsets.UTF_8).length > DocumentIds.MAX_BYTES) {
            throw new IllegalArgumentException(
                    "document id longer than "
                            + DocumentIds.MAX_BYTES
                            + " bytes (Elasticsearch's limit): "
                            + docId.substring(0, 64)
                            + "...");
        }
        Map<String, Object> source = document.apply(element);
        if (source == null) {
            throw new IllegalArgumentException("no document for id " + docId);
        }
        if (versionField == null) {
            return new IndexRequest(indexName).id(docId).source(source);
        }
        if (!(source.get(versionField) instanceof Number)) {
            throw new IllegalArgumentException(
                    "document "
                            + docId
                            + " has no numeric version field '"
                            + versionField
                            + "': "
                            + source.get(versionField));
        }
        return new UpdateRequest(indexName, docId)
                .script(
                        new Script(
                                ScriptType.INLINE,
                                Script.DEFAULT_SCRIPT_LANG,
                                GUARD_SCRIPT,
                                Map.of("field", versionField, "doc", source)))
                .scriptedUpsert(true)
                .upsert(Map.of())
                .retryOnConflict(RETRY_ON_CONFLICT);
    }
}
