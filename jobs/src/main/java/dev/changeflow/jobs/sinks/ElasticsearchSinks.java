package dev.changeflow.jobs.sinks;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.elasticsearch.sink.Elasticsearch7SinkBuilder;
import org.apache.flink.connector.elasticsearch.sink.ElasticsearchSink;
import org.apache.flink.connector.elasticsearch.sink.FlushBackoffType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.util.function.SerializableFunction;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The Elasticsearch sinks of Changeflow's jobs, built one way: each element is one whole document
 * under a deterministic id.
 *
 * <p><b>Exactly-once final state.</b> The sink is {@link DeliveryGuarantee#AT_LEAST_ONCE}: every
 * checkpoint waits until Elasticsearch acknowledged all pending writes, and after a failure the job
 * replays what followed its last checkpoint. Because a replayed element writes the same document
 * under the same id ({@link DocumentIds}), the replay overwrites instead of duplicating, and once
 * the replay has caught up every document holds its latest value. In between, a reader may see a
 * document step back to an older value and forward again. A {@linkplain Builder#versionField
 * version field} (source position, window end, update time) removes that: a write whose version is
 * lower than the stored one is skipped, so no document ever moves backwards.
 *
 * <p><b>Order per id.</b> {@link Builder#addTo} keys the stream by document id before the sink, so
 * all writes of one id go through one writer, in order (and two writers never race on one id's
 * guarded upsert, which Elasticsearch would answer with 409 once {@code retry_on_conflict} runs
 * out, failing the job). Keep the upstream order per id too: one source reader per key, no
 * rebalance in between.
 *
 * <pre>{@code
 * ElasticsearchConnection es = ElasticsearchConnection.of(options.get(ES_HOSTS));
 * ElasticsearchTemplates.put(es, IndexTemplate.of("orders", List.of("orders*"), MAPPINGS));
 * ElasticsearchSinks.<EnrichedOrder>documents()
 *         .connection(es)
 *         .index("orders")
 *         .id(order -> DocumentIds.of(order.orderId()))
 *         .document(EnrichedOrder::toDocument)
 *         .versionField("position")
 *         .addTo(enriched, "orders-es-sink");
 * }</pre>
 *
 * <p>Why not {@code version_type=external}: the connector fails the job on any failed bulk item,
 * and a replay that re-sends an older version makes external versioning answer 409. The guard is a
 * scripted upsert instead, which turns the older write into a no-op.
 */
public final class ElasticsearchSinks {

    public static final int DEFAULT_BULK_FLUSH_MAX_ACTIONS = 1_000;
    public static final int DEFAULT_BULK_FLUSH_MAX_SIZE_MB = 5;
    public static final Duration DEFAULT_BULK_FLUSH_INTERVAL = Duration.ofSeconds(1);

    /** Retries of a bulk request Elasticsearch rejected as overloaded (HTTP 429). */
    public static final int DEFAULT_BACKOFF_RETRIES = 5;

    public static final Duration DEFAULT_BACKOFF_DELAY = Duration.ofMillis(200);

    private ElasticsearchSinks() {}

    /** A builder for a sink of {@code T}s, one document each. */
    public static <T> Builder<T> documents() {
        return new Builder<>();
    }

    /** Builds an Elasticsearch sink of whole documents with deterministic ids. */
    public static final class Builder<T> {

        private ElasticsearchConnection connection;
        private SerializableFunction<T, String> index;
        private SerializableFunction<T, String> id;
        private SerializableFunction<T, Map<String, Object>> document;
        private String versionField;
        private int bulkFlushMaxActions = DEFAULT_BULK_FLUSH_MAX_ACTIONS;
        private int bulkFlushMaxSizeMb = DEFAULT_BULK_FLUSH_MAX_SIZE_MB;
        private Duration bulkFlushInterval = DEFAULT_BULK_FLUSH_INTERVAL;
        private int backoffRetries = DEFAULT_BACKOFF_RETRIES;
        private Duration backoffDelay = DEFAULT_BACKOFF_DELAY;

        private Builder() {}

        /** The cluster to write to. */
        public Builder<T> connection(ElasticsearchConnection connection) {
            this.connection = Objects.requireNonNull(connection, "connection");
            return this;
        }

        /** One index for every document. */
        public Builder<T> index(String index) {
            if (index == null || index.isBlank()) {
                throw new IllegalArgumentException("the Elasticsearch index name is blank");
            }
            return index(element -> index);
        }

        /** The index per element, e.g. one per month of event time. */
        public Builder<T> index(SerializableFunction<T, String> index) {
            this.index = Objects.requireNonNull(index, "index");
            return this;
        }

        /**
         * The document id of an element: a function of what identifies it (primary key, window key
         * and bounds), never of when or how often it is written. See {@link DocumentIds}.
         */
        public Builder<T> id(SerializableFunction<T, String> id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * The whole document of an element, as JSON-like values (strings, numbers, booleans, lists,
         * maps, null). It replaces what is stored under the id.
         */
        public Builder<T> document(SerializableFunction<T, Map<String, Object>> document) {
            this.document = Objects.requireNonNull(document, "document");
            return this;
        }

        /**
         * Guards writes by a numeric field of the document that grows with every newer value of an
         * id (source position, window end, update time): a write whose field is lower than the
         * stored document's is skipped, an equal or higher one replaces it.
         */
        public Builder<T> versionField(String field) {
            if (field == null || field.isBlank()) {
                throw new IllegalArgumentException("the version field name is blank");
            }
            this.versionField = field;
            return this;
        }

        /** Sends a bulk request once this many writes are pending (default 1000). */
        public Builder<T> bulkFlushMaxActions(int actions) {
            if (actions < 1) {
                throw new IllegalArgumentException("bulk flush max actions must be >= 1");
            }
            this.bulkFlushMaxActions = actions;
            return this;
        }

        /** Sends a bulk request once the pending writes are this large (default 5 MB). */
        public Builder<T> bulkFlushMaxSizeMb(int megabytes) {
            if (megabytes < 1) {
                throw new IllegalArgumentException("bulk flush max size must be >= 1 MB");
            }
            this.bulkFlushMaxSizeMb = megabytes;
            return this;
        }

        /** Sends pending writes at least this often (default 1 s); checkpoints flush too. */
        public Builder<T> bulkFlushInterval(Duration interval) {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("bulk flush interval must be positive");
            }
            this.bulkFlushInterval = interval;
            return this;
        }

        /**
         * Retries a bulk request Elasticsearch rejected as overloaded, with exponential backoff
         * from {@code initialDelay} (default 5 retries from 200 ms).
         */
        public Builder<T> backoff(int retries, Duration initialDelay) {
            if (retries < 1 || initialDelay == null || initialDelay.isNegative()) {
                throw new IllegalArgumentException(
                        "backoff needs >= 1 retries and a non-negative delay");
            }
            this.backoffRetries = retries;
            this.backoffDelay = initialDelay;
            return this;
        }

        /** The id function, for keying a stream by document id. */
        public SerializableFunction<T, String> idFunction() {
            return require(id, "id");
        }

        /** The sink. Key the stream by id before it ({@link #keyedById}), or use {@link #addTo}. */
        public ElasticsearchSink<T> build() {
            Elasticsearch7SinkBuilder<T> builder =
                    new Elasticsearch7SinkBuilder<T>()
                            .setHosts(require(connection, "connection").httpHosts())
                            .setEmitter(
                                    new DocumentEmitter<>(
                                            require(index, "index"),
                                            require(id, "id"),
                                            require(document, "document"),
                                            versionField))
                            .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                            .setBulkFlushMaxActions(bulkFlushMaxActions)
                            .setBulkFlushMaxSizeMb(bulkFlushMaxSizeMb)
                            .setBulkFlushInterval(bulkFlushInterval.toMillis())
                            .setBulkFlushBackoffStrategy(
                                    FlushBackoffType.EXPONENTIAL,
                                    backoffRetries,
                                    backoffDelay.toMillis());
            if (connection.username() != null) {
                builder.setConnectionUsername(connection.username())
                        .setConnectionPassword(connection.password());
            }
            return builder.build();
        }

        /** {@code stream} keyed by document id, so that one writer writes each id, in order. */
        public KeyedStream<T, String> keyedById(DataStream<T> stream) {
            SerializableFunction<T, String> key = idFunction();
            return stream.keyBy(key::apply, Types.STRING);
        }

        /**
         * Keys {@code stream} by document id and writes it with this sink, named and uid'd {@code
         * uid}.
         */
        public DataStreamSink<T> addTo(DataStream<T> stream, String uid) {
            return keyedById(stream).sinkTo(build()).uid(uid).name(uid);
        }

        private static <V> V require(V value, String what) {
            if (value == null) {
                throw new IllegalStateException(
                        "the Elasticsearch sink has no " + what + ": call ." + what + "(...)");
            }
            return value;
        }
    }
}
