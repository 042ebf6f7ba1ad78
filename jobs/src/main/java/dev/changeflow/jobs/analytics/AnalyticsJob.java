package dev.changeflow.jobs.analytics;

import dev.changeflow.jobs.JobOptions;
import dev.changeflow.jobs.sinks.KafkaSinks;
import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.jobs.sources.KafkaSources;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.async.AsyncFunction;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.types.Either;
import org.apache.flink.util.OutputTag;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The analytics job: order changes from their CDC topic, enriched from the Redis views, counted in
 * event-time windows, with retractions, late data kept and a hot key spread out.
 *
 * <pre>
 *   orders topic -> ToOrderEvents (signed adds/retractions; bad records to dead letters)
 *     -> event time from created_at, bounded out-of-orderness, idleness
 *     -> RedisEnrichment (async I/O: category, region)  -> order sinks
 *     -> per category, tumbling 1 min   \  salted pre-aggregation (key, salt) with allowed
 *     -> per region, sliding 5 min/1 min /  lateness, late orders to a side output,
 *                                           then MergePartials per window -> window sinks
 * </pre>
 *
 * <p>Enrichment keeps the order of events within a subtask (ordered async I/O), so one order's
 * retraction and addition reach the sinks in the order they happened and an upsert by order id
 * keeps its latest contribution.
 *
 * <p>A cancelled or deleted order is retracted from the windows it was counted in (see {@link
 * ToOrderEvents}); retractions and late orders within the allowed lateness re-emit a window with
 * new totals, which the sinks upsert by {@link WindowResult#id()}.
 */
public final class AnalyticsJob {

    public static final String SOURCE_UID = "orders-source";
    public static final String PARSE_UID = "to-order-events";
    public static final String EVENT_TIME_UID = "order-event-time";
    public static final String ENRICH_UID = "enrich-from-redis";
    public static final String DEAD_LETTER_SINK_UID = "analytics-dead-letter-sink";
    public static final String LATE_SINK_UID = "late-orders-sink";

    /** Per-minute revenue per product category. */
    public static final String BY_CATEGORY = "category-1m";

    /** Revenue per customer region over the last 5 minutes, every minute. */
    public static final String BY_REGION = "region-5m";

    /** Event time, lateness, skew and async settings. */
    public record Settings(
            Duration outOfOrderness,
            Duration idleness,
            Duration allowedLateness,
            int salts,
            Duration asyncTimeout,
            int asyncCapacity)
            implements Serializable {}

    /**
     * Where a stream of the job goes: a sink, or a sink with its own wiring (the Elasticsearch
     * sinks key by document id first).
     */
    @FunctionalInterface
    public interface Output<T> {
        void attach(DataStream<T> stream);

        /** {@code sink}, named and uid'd {@code uid}. */
        static <T> Output<T> of(String uid, Sink<T> sink) {
            return stream -> stream.sinkTo(sink).uid(uid).name(uid);
        }
    }

    private final Source<Either<DeadLetter, KafkaChange>, ?, ?> source;
    private final AsyncFunction<OrderEvent, OrderEvent> enrichment;
    private final List<Output<OrderEvent>> orderSinks;
    private final List<Output<WindowResult>> windowSinks;
    private final Sink<LateOrder> lateOrders;
    private final Sink<DeadLetter> deadLetters;
    private final Settings settings;

    public AnalyticsJob(
            Source<Either<DeadLetter, KafkaChange>, ?, ?> source,
            AsyncFunction<OrderEvent, OrderEvent> enrichment,
            List<Output<OrderEvent>> orderSinks,
            List<Output<WindowResult>> windowSinks,
            Sink<LateOrder> lateOrders,
            Sink<DeadLetter> deadLetters,
            Settings settings) {
        this.source = source;
        this.enrichment = enrichment;
        this.orderSinks = orderSinks;
        this.windowSinks = windowSinks;
        this.lateOrders = lateOrders;
        this.deadLetters = deadLetters;
        this.settings = settings;
    }

    /** Adds the pipeline to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        SingleOutputStreamOperator<OrderEvent> orders =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "Orders topic")
                        .uid(SOURCE_UID)
                        .name("Orders topic")
                        .process(new ToOrderEvents())
                        .uid(PARSE_UID)
                        .name("To order events");
        orders.getSideOutput(ToOrderEvents.DEAD_LETTERS)
                .sinkTo(deadLetters)
                .uid(DEAD_LETTER_SINK_UID)
                .name("Kafka dead-letter topic");

        DataStream<OrderEvent> timed =
                orders.assignTimestampsAndWatermarks(
                                WatermarkStrategy.<OrderEvent>forBoundedOutOfOrderness(
                                                settings.outOfOrderness())
                                        .withTimestampAssigner((order, ts) -> order.eventTimeMs())
                                        .withIdleness(settings.idleness()))
                        .uid(EVENT_TIME_UID)
                        .name("Event time");
        DataStream<OrderEvent> enriched =
                AsyncDataStream.orderedWait(
                                timed,
                                enrichment,
                                settings.asyncTimeout().toMillis(),
                                TimeUnit.MILLISECONDS,
                                settings.asyncCapacity())
                        .uid(ENRICH_UID)
                        .name("Enrich from Redis");
        for (Output<OrderEvent> sink : orderSinks) {
            sink.attach(enriched);
        }

        Windowed byCategory =
                windows(
                        enriched,
                        BY_CATEGORY,
                        OrderEvent::category,
                        TumblingEventTimeWindows.of(Duration.ofMinutes(1)));
        Windowed byRegion =
                windows(
                        enriched,
                        BY_REGION,
                        OrderEvent::region,
                        SlidingEventTimeWindows.of(Duration.ofMinutes(5), Duration.ofMinutes(1)));
        DataStream<WindowResult> results = byCategory.results().union(byRegion.results());
        for (Output<WindowResult> sink : windowSinks) {
            sink.attach(results);
        }
        byCategory
                .late()
                .union(byRegion.late())
                .sinkTo(lateOrders)
                .uid(LATE_SINK_UID)
                .name("Kafka late-orders topic");
    }

    private record Windowed(DataStream<WindowResult> results, DataStream<LateOrder> late) {}

    /** The group of an order in one dimension. */
    @FunctionalInterface
    private interface Group extends Serializable {
        String of(OrderEvent order);
    }

    private Windowed windows(
            DataStream<OrderEvent> orders,
            String dimension,
            Group group,
            WindowAssigner<Object, TimeWindow> assigner) {
        OutputTag<OrderEvent> lateTag =
                new OutputTag<>("late-" + dimension, TypeInformation.of(OrderEvent.class));
        int salts = settings.salts();
        KeySelector<OrderEvent, SaltedKey> salted =
                order -> SaltedKey.of(group.of(order), order.orderId(), salts);
        SingleOutputStreamOperator<Partial> partials =
                orders.keyBy(salted, TypeInformation.of(SaltedKey.class))
                        .window(assigner)
                        .allowedLateness(settings.allowedLateness())
                        .sideOutputLateData(lateTag)
                        .aggregate(new OrderTotals(), new ToPartial(dimension))
                        .uid("windows-" + dimension)
                        .name("Windows " + dimension + " (salted)");
        DataStream<WindowResult> results =
                partials.keyBy(Partial::windowKey)
                        .process(new MergePartials(settings.allowedLateness().toMillis()))
                        .uid("merge-" + dimension)
                        .name("Merge " + dimension);
        DataStream<LateOrder> late =
                partials.getSideOutput(lateTag)
                        .map(order -> new LateOrder(dimension, order))
                        .uid("late-" + dimension)
                        .name("Late " + dimension);
        return new Windowed(results, late);
    }

    /** {@code flink run}'s entry point; options are {@link AnalyticsOptions} and Flink keys. */
    public static void main(String[] args) throws Exception {
        JobOptions.run(args, AnalyticsJob::prepare);
    }

    /**
     * Configures {@code env} with the Flink keys among {@code options} (checkpoints every 10 s
     * unless set) and adds the pipeline with its Kafka sinks.
     *
     * @return the job's name
     */
    public static String prepare(Configuration options, StreamExecutionEnvironment env) {
        String bootstrap = JobOptions.required(options, AnalyticsOptions.KAFKA_BOOTSTRAP_SERVERS);
        String groupId = options.get(AnalyticsOptions.GROUP_ID);
        JobOptions.configure(options, env);
        AnalyticsOutputs.initializeS3(options);
        String transactions = "changeflow-analytics-" + groupId;
        DeliveryGuarantee exactlyOnce = DeliveryGuarantee.EXACTLY_ONCE;
        new AnalyticsJob(
                        KafkaSources.changes(
                                bootstrap,
                                List.of(options.get(AnalyticsOptions.ORDERS_TOPIC)),
                                groupId,
                                "analytics"),
                        new RedisEnrichment(
                                new RedisEnrichment.Settings(
                                        JobOptions.required(options, AnalyticsOptions.REDIS_URI),
                                        options.get(AnalyticsOptions.VIEW_KEY_PREFIX),
                                        options.get(AnalyticsOptions.ENRICHMENT_CACHE_TTL),
                                        10_000,
                                        options.get(AnalyticsOptions.ENRICHMENT_ATTEMPTS),
                                        options.get(AnalyticsOptions.ENRICHMENT_RETRY_DELAY),
                                        options.get(AnalyticsOptions.ENRICHMENT_TIMEOUT))),
                        AnalyticsOutputs.orders(options, transactions),
                        AnalyticsOutputs.windows(options, transactions),
                        KafkaSinks.json(
                                bootstrap,
                                options.get(AnalyticsOptions.LATE_TOPIC),
                                late -> late.dimension() + ":" + late.order().orderId(),
                                exactlyOnce,
                                transactions + "-late"),
                        KafkaSinks.deadLetters(
                                bootstrap,
                                options.get(AnalyticsOptions.DEAD_LETTER_TOPIC),
                                exactlyOnce,
                                transactions + "-dead-letters"),
                        settings(options))
                .build(env);
        return "changeflow-analytics " + groupId;
    }

    /** The {@link Settings} from options. */
    public static Settings settings(Configuration options) {
        return new Settings(
                options.get(AnalyticsOptions.OUT_OF_ORDERNESS),
                options.get(AnalyticsOptions.IDLENESS),
                options.get(AnalyticsOptions.ALLOWED_LATENESS),
                options.get(AnalyticsOptions.SALTS),
                options.get(AnalyticsOptions.ENRICHMENT_TIMEOUT),
                options.get(AnalyticsOptions.ENRICHMENT_CAPACITY));
    }
}
