package dev.changeflow.jobs.analytics;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;
import java.util.List;

/** The analytics job's options, given as {@code --key value} arguments. */
public final class AnalyticsOptions {

    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS =
            ConfigOptions.key("kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers. Required.");

    public static final ConfigOption<String> ORDERS_TOPIC =
            ConfigOptions.key("orders.topic")
                    .stringType()
                    .defaultValue("cdc.changeflow.public.orders")
                    .withDescription("The orders change topic written by the ingest job.");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("group.id")
                    .stringType()
                    .defaultValue("changeflow-analytics")
                    .withDescription("Kafka consumer group (offsets committed on checkpoint).");

    public static final ConfigOption<String> REDIS_URI =
            ConfigOptions.key("redis.uri")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Redis holding the views job's views. Required.");

    public static final ConfigOption<String> VIEW_KEY_PREFIX =
            ConfigOptions.key("view.key-prefix")
                    .stringType()
                    .defaultValue("view")
                    .withDescription("Key prefix of the views (as given to the views job).");

    public static final ConfigOption<String> WINDOWS_TOPIC =
            ConfigOptions.key("windows.topic")
                    .stringType()
                    .defaultValue("analytics.windows")
                    .withDescription(
                            "Window results, JSON keyed by window id (compact it to keep the"
                                    + " latest per window).");

    public static final ConfigOption<String> ORDERS_OUTPUT_TOPIC =
            ConfigOptions.key("enriched-orders.topic")
                    .stringType()
                    .defaultValue("analytics.enriched-orders")
                    .withDescription("Enriched, signed order events, JSON keyed by order id.");

    public static final ConfigOption<String> LATE_TOPIC =
            ConfigOptions.key("late.topic")
                    .stringType()
                    .defaultValue("analytics.late-orders")
                    .withDescription("Orders later than the allowed lateness, kept here.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            ConfigOptions.key("dead-letter.topic")
                    .stringType()
                    .defaultValue("analytics.dead-letters")
                    .withDescription("Records that are not usable order changes, with the reason.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
            ConfigOptions.key("watermark.out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("How far out of order orders may arrive (watermark delay).");

    public static final ConfigOption<Duration> IDLENESS =
            ConfigOptions.key("watermark.idleness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "A source partition without orders for this long stops holding back"
                                    + " the watermark.");

    public static final ConfigOption<Duration> ALLOWED_LATENESS =
            ConfigOptions.key("window.allowed-lateness")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "Orders and retractions this late still update their windows (which"
                                    + " are emitted again); later ones go to the late topic.");

    public static final ConfigOption<Integer> SALTS =
            ConfigOptions.key("window.salts")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "Pre-aggregation slices per group, so one hot category or region"
                                    + " spreads over up to this many subtasks.");

    public static final ConfigOption<Duration> ENRICHMENT_TIMEOUT =
            ConfigOptions.key("enrichment.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "Flink's async timeout per order; an order without an answer by then"
                                    + " is emitted with enrichment=unavailable.");

    public static final ConfigOption<Integer> ENRICHMENT_CAPACITY =
            ConfigOptions.key("enrichment.capacity")
                    .intType()
                    .defaultValue(100)
                    .withDescription("Orders in flight to Redis per subtask.");

    public static final ConfigOption<Integer> ENRICHMENT_ATTEMPTS =
            ConfigOptions.key("enrichment.attempts")
                    .intType()
                    .defaultValue(3)
                    .withDescription("Tries per Redis lookup before giving up on it.");

    public static final ConfigOption<Duration> ENRICHMENT_RETRY_DELAY =
            ConfigOptions.key("enrichment.retry-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(100))
                    .withDescription("Pause between tries of a Redis lookup.");

    public static final ConfigOption<Duration> ENRICHMENT_CACHE_TTL =
            ConfigOptions.key("enrichment.cache-ttl")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "How long a looked-up category or region is reused (also a missing"
                                    + " one) before asking Redis again.");

    public static final ConfigOption<String> ELASTICSEARCH_HOSTS =
            ConfigOptions.key("elasticsearch.hosts")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Elasticsearch 7 URLs, comma-separated; when set, enriched orders and"
                                    + " window results are also indexed (ids: order id, window id).");

    public static final ConfigOption<String> ELASTICSEARCH_ORDERS_INDEX =
            ConfigOptions.key("elasticsearch.orders-index")
                    .stringType()
                    .defaultValue("orders")
                    .withDescription(
                            "Index of the enriched orders (latest contribution per order).");

    public static final ConfigOption<String> ELASTICSEARCH_WINDOWS_INDEX =
            ConfigOptions.key("elasticsearch.windows-index")
                    .stringType()
                    .defaultValue("order-windows")
                    .withDescription("Index of the window results.");

    public static final ConfigOption<String> S3_PATH =
            ConfigOptions.key("s3.path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "When set, e.g. s3://changeflow/orders: enriched orders as Parquet,"
                                    + " in dt=YYYY-MM-DD/hour=HH of their event time, committed on"
                                    + " checkpoint. S3 itself is configured with s3.endpoint,"
                                    + " s3.access-key, s3.secret-key (local runs) or the cluster's"
                                    + " s3 plugin settings.");

    private AnalyticsOptions() {}

    /** Every option, in the order {@code --help} and the README list them. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                KAFKA_BOOTSTRAP_SERVERS,
                ORDERS_TOPIC,
                GROUP_ID,
                REDIS_URI,
                VIEW_KEY_PREFIX,
                WINDOWS_TOPIC,
                ORDERS_OUTPUT_TOPIC,
                LATE_TOPIC,
                DEAD_LETTER_TOPIC,
                OUT_OF_ORDERNESS,
                IDLENESS,
                ALLOWED_LATENESS,
                SALTS,
                ENRICHMENT_TIMEOUT,
                ENRICHMENT_CAPACITY,
                ENRICHMENT_ATTEMPTS,
                ENRICHMENT_RETRY_DELAY,
                ENRICHMENT_CACHE_TTL,
                ELASTICSEARCH_HOSTS,
                ELASTICSEARCH_ORDERS_INDEX,
                ELASTICSEARCH_WINDOWS_INDEX,
                S3_PATH);
    }
}
