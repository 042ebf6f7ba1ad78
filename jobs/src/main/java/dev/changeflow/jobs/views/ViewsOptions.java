package dev.changeflow.jobs.views;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;
import java.util.List;

/** The views job's options, given as {@code --key value} arguments. */
public final class ViewsOptions {

    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS =
            ConfigOptions.key("kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers. Required.");

    public static final ConfigOption<List<String>> TOPICS =
            ConfigOptions.key("topics")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Change topics to keep as views, e.g."
                                    + " cdc.shop.public.customers,cdc.shop.public.products."
                                    + " Required.");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("group.id")
                    .stringType()
                    .defaultValue("changeflow-views")
                    .withDescription("Kafka consumer group (offsets committed on checkpoint).");

    public static final ConfigOption<String> REDIS_URI =
            ConfigOptions.key("redis.uri")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Redis to keep the views in, e.g. redis://127.0.0.1:6379.");

    public static final ConfigOption<String> KEY_PREFIX =
            ConfigOptions.key("view.key-prefix")
                    .stringType()
                    .defaultValue("view")
                    .withDescription("Views are hashes named <prefix>:<table>:{<primary key>}.");

    public static final ConfigOption<Duration> DELETE_MARKER_TTL =
            ConfigOptions.key("view.delete-marker-ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "How long a deleted row's marker keeps older replays from bringing"
                                    + " it back; longer than a checkpoint interval plus a restart.");

    public static final ConfigOption<String> INVALIDATION_CHANNEL =
            ConfigOptions.key("view.invalidation-channel")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Publish every changed view key on this Redis channel (cache"
                                    + " invalidation). Default: none.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            ConfigOptions.key("dead-letter.topic")
                    .stringType()
                    .defaultValue("views.dead-letters")
                    .withDescription("Where records that cannot become view writes go.");

    private ViewsOptions() {}

    /** Every option, in the order {@code --help} and the README list them. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                KAFKA_BOOTSTRAP_SERVERS,
                TOPICS,
                GROUP_ID,
                REDIS_URI,
                KEY_PREFIX,
                DELETE_MARKER_TTL,
                INVALIDATION_CHANNEL,
                DEAD_LETTER_TOPIC);
    }
}
