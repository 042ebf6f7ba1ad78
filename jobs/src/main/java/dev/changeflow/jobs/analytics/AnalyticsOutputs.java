package dev.changeflow.jobs.analytics;

import dev.changeflow.jobs.JobOptions;
import dev.changeflow.jobs.sinks.ElasticsearchConnection;
import dev.changeflow.jobs.sinks.ElasticsearchSinks;
import dev.changeflow.jobs.sinks.ElasticsearchTemplates;
import dev.changeflow.jobs.sinks.KafkaSinks;
import dev.changeflow.jobs.sinks.S3ParquetSinks;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The analytics job's sinks from its options: Kafka always; Elasticsearch when {@code
 * elasticsearch.hosts} is set (index templates created before the job starts); Parquet files on S3
 * when {@code s3.path} is set.
 */
final class AnalyticsOutputs {

    private AnalyticsOutputs() {}

    static List<AnalyticsJob.Output<OrderEvent>> orders(
            Configuration options, String transactions) {
        List<AnalyticsJob.Output<OrderEvent>> outputs = new ArrayList<>();
        outputs.add(
                AnalyticsJob.Output.of(
                        "enriched-orders-kafka-sink",
                        KafkaSinks.json(
                                bootstrap(options),
                                options.get(AnalyticsOptions.ORDERS_OUTPUT_TOPIC),
                                order -> Long.toString(order.orderId()),
                                DeliveryGuarantee.EXACTLY_ONCE,
                                transactions + "-orders")));
        options.getOptional(AnalyticsOptions.ELASTICSEARCH_HOSTS)
                .ifPresent(
                        hosts -> {
                            ElasticsearchConnection es = ElasticsearchConnection.of(hosts);
                            String index = options.get(AnalyticsOptions.ELASTICSEARCH_ORDERS_INDEX);
                            ElasticsearchTemplates.put(
                                    es,
                                    ElasticsearchTemplates.IndexTemplate.of(
                                                    index, List.of(index), ORDER_MAPPINGS)
                                            .withSettings(
                                                    ElasticsearchTemplates.SINGLE_NODE_SETTINGS));
                            var sink =
                                    ElasticsearchSinks.<OrderEvent>documents()
                                            .connection(es)
                                            .index(index)
                                            .id(order -> Long.toString(order.orderId()))
                                            .document(AnalyticsOutputs::orderDocument);
                            outputs.add(stream -> sink.addTo(stream, "enriched-orders-es-sink"));
                        });
        options.getOptional(AnalyticsOptions.S3_PATH)
                .ifPresent(
                        path -> {
                            var sink =
                                    S3ParquetSinks.forReflectRecord(OrderEvent.class)
                                            .basePath(path)
                                            .eventTime(OrderEvent::eventTimeMs);
                            outputs.add(stream -> sink.addTo(stream, "enriched-orders-s3-sink"));
                        });
        return outputs;
    }

    static List<AnalyticsJob.Output<WindowResult>> windows(
            Configuration options, String transactions) {
        List<AnalyticsJob.Output<WindowResult>> outputs = new ArrayList<>();
        outputs.add(
                AnalyticsJob.Output.of(
                        "windows-kafka-sink",
                        KafkaSinks.json(
                                bootstrap(options),
                                options.get(AnalyticsOptions.WINDOWS_TOPIC),
                                WindowResult::id,
                                DeliveryGuarantee.EXACTLY_ONCE,
                                transactions + "-windows")));
        options.getOptional(AnalyticsOptions.ELASTICSEARCH_HOSTS)
                .ifPresent(
                        hosts -> {
                            ElasticsearchConnection es = ElasticsearchConnection.of(hosts);
                            String index =
                                    options.get(AnalyticsOptions.ELASTICSEARCH_WINDOWS_INDEX);
                            ElasticsearchTemplates.put(
                                    es,
                                    ElasticsearchTemplates.IndexTemplate.of(
                                                    index, List.of(index), WINDOW_MAPPINGS)
                                            .withSettings(
                                                    ElasticsearchTemplates.SINGLE_NODE_SETTINGS));
                            var sink =
                                    ElasticsearchSinks.<WindowResult>documents()
                                            .connection(es)
                                            .index(index)
                                            .id(WindowResult::id)
                                            .document(AnalyticsOutputs::windowDocument);
                            outputs.add(stream -> sink.addTo(stream, "windows-es-sink"));
                        });
        return outputs;
    }

    /** Configures Flink's S3 file system of this JVM when the options give S3 keys (local runs). */
    static void initializeS3(Configuration options) {
        options.getOptional(S3ParquetSinks.S3_ENDPOINT)
                .ifPresent(
                        endpoint ->
                                S3ParquetSinks.initializeFileSystems(
                                        options,
                                        S3ParquetSinks.S3Access.of(
                                                endpoint,
                                                JobOptions.required(
                                                        options, S3ParquetSinks.S3_ACCESS_KEY),
                                                JobOptions.required(
                                                        options, S3ParquetSinks.S3_SECRET_KEY))));
    }

    private static String bootstrap(Configuration options) {
        return JobOptions.required(options, AnalyticsOptions.KAFKA_BOOTSTRAP_SERVERS);
    }

    /** An order's latest contribution: {@code counted} is false once it was retracted. */
    static Map<String, Object> orderDocument(OrderEvent order) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("order_id", order.orderId());
        doc.put("customer_id", order.customerId());
        doc.put("product_id", order.productId());
        doc.put("amount", order.amountCents() / 100.0);
        doc.put("status", order.status());
        doc.put("created_at", order.eventTimeMs());
        doc.put("counted", order.sign() > 0);
        doc.put("category", order.category());
        doc.put("region", order.region());
        doc.put("enrichment", order.enrichment());
        doc.put("position", order.position());
        return doc;
    }

    static Map<String, Object> windowDocument(WindowResult window) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("dimension", window.dimension());
        doc.put("key", window.key());
        doc.put("window_start", window.windowStart());
        doc.put("window_end", window.windowEnd());
        doc.put("orders", window.orders());
        doc.put("revenue", window.revenueCents() / 100.0);
        return doc;
    }

    private static final String ORDER_MAPPINGS =
            "{\"dynamic\":\"strict\",\"properties\":{"
                    + "\"order_id\":{\"type\":\"long\"},"
                    + "\"customer_id\":{\"type\":\"long\"},"
                    + "\"product_id\":{\"type\":\"long\"},"
                    + "\"amount\":{\"type\":\"scaled_float\",\"scaling_factor\":100},"
                    + "\"status\":{\"type\":\"keyword\"},"
                    + "\"created_at\":{\"type\":\"date\",\"format\":\"epoch_millis\"},"
                    + "\"counted\":{\"type\":\"boolean\"},"
                    + "\"category\":{\"type\":\"keyword\"},"
                    + "\"region\":{\"type\":\"keyword\"},"
                    + "\"enrichment\":{\"type\":\"keyword\"},"
                    + "\"position\":{\"type\":\"keyword\"}}}";

    private static final String WINDOW_MAPPINGS =
            "{\"dynamic\":\"strict\",\"properties\":{"
                    + "\"dimension\":{\"type\":\"keyword\"},"
                    + "\"key\":{\"type\":\"keyword\"},"
                    + "\"window_start\":{\"type\":\"date\",\"format\":\"epoch_millis\"},"
                    + "\"window_end\":{\"type\":\"date\",\"format\":\"epoch_millis\"},"
                    + "\"orders\":{\"type\":\"long\"},"
                    + "\"revenue\":{\"type\":\"scaled_float\",\"scaling_factor\":100}}}";
}
