package dev.changeflow.jobs.analytics;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.shaded.guava31.com.google.common.cache.Cache;
import org.apache.flink.shaded.guava31.com.google.common.cache.CacheBuilder;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Enriches orders from the Redis views of the views job, with Flink async I/O and Lettuce's async
 * client: the customer's region ({@code <prefix>:customers:{id}}, field {@code region}) and the
 * product's category ({@code <prefix>:products:{id}}, field {@code category}), through a small
 * local cache with a TTL.
 *
 * <p>When Redis fails or is slow, a lookup is retried (with a delay) a few times; if it still has
 * no answer, the order is emitted anyway, with {@code unknown} category/region and {@code
 * enrichment = unavailable}, so it is counted (under {@code unknown}) and never silently dropped. A
 * view without the row gives {@code enrichment = missing}. Flink's own async timeout, if it fires
 * first, does the same. Metrics: {@code enrichmentUnavailable}, {@code enrichmentMissing}, {@code
 * enrichmentCacheHits}.
 */
public final class RedisEnrichment extends RichAsyncFunction<OrderEvent, OrderEvent> {

    private static final long serialVersionUID = 1L;

    /** How lookups behave; see the class comment. */
    public record Settings(
            String redisUri,
            String keyPrefix,
            Duration cacheTtl,
            long cacheSize,
            int attempts,
            Duration retryDelay,
            Duration lookupTimeout)
            implements Serializable {}

    private final Settings settings;

    private transient RedisClient client;
    private transient StatefulRedisConnection<String, String> connection;
    private transient RedisAsyncCommands<String, String> redis;
    private transient Cache<String, Optional<String>> cache;
    private transient Counter unavailable;
    private transient Counter missing;
    private transient Counter cacheHits;

    public RedisEnrichment(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(Configuration parameters) {
        client = RedisClient.create(settings.redisUri());
        client.setDefaultTimeout(settings.lookupTimeout());
        connection = client.connect();
        redis = connection.async();
        cache =
                CacheBuilder.newBuilder()
                        .expireAfterWrite(settings.cacheTtl())
                        .maximumSize(settings.cacheSize())
                        .build();
        var metrics = getRuntimeContext().getMetricGroup();
        unavailable = metrics.counter("enrichmentUnavailable");
        missing = metrics.counter("enrichmentMissing");
        cacheHits = metrics.counter("enrichmentCacheHits");
    }

    @Override
    public void asyncInvoke(OrderEvent order, ResultFuture<OrderEvent> result) {
        CompletableFuture<Optional<String>> category =
                lookup("products", order.productId(), "category", settings.attempts());
        CompletableFuture<Optional<String>> region =
                lookup("customers", order.customerId(), "region", settings.attempts());
        category.thenCombine(
                        region,
                        (c, r) -> {
                            boolean found = c.isPresent() && r.isPresent();
                            if (!found) {
                                missing.inc();
                            }
                            return order.enriched(
                                    c.orElse(OrderEvent.UNKNOWN),
                                    r.orElse(OrderEvent.UNKNOWN),
                                    found ? OrderEvent.ENRICHED : OrderEvent.MISSING);
                        })
                .whenComplete(
                        (enriched, error) -> {
                            if (error == null) {
                                result.complete(List.of(enriched));
                            } else {
                                result.complete(List.of(unavailable(order)));
                            }
                        });
    }

    /** Flink's async timeout: emit the order unenriched rather than failing the job. */
    @Override
    public void timeout(OrderEvent order, ResultFuture<OrderEvent> result) {
        result.complete(List.of(unavailable(order)));
    }

    private OrderEvent unavailable(OrderEvent order) {
        unavailable.inc();
        return order.enriched(OrderEvent.UNKNOWN, OrderEvent.UNKNOWN, OrderEvent.UNAVAILABLE);
    }

    private CompletableFuture<Optional<String>> lookup(
            String view, long id, String field, int attemptsLeft) {
        String key = settings.keyPrefix() + ":" + view + ":{" + id + "}";
        Optional<String> cached = cache.getIfPresent(key + "#" + field);
        if (cached != null) {
            cacheHits.inc();
            return CompletableFuture.completedFuture(cached);
        }
        CompletionStage<String> answer = redis.hget(key, field);
        return answer.toCompletableFuture()
                .orTimeout(settings.lookupTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(
                        value -> {
                            Optional<String> found = Optional.ofNullable(value);
                            cache.put(key + "#" + field, found);
                            return found;
                        })
                .exceptionallyCompose(
                        error -> {
                            if (attemptsLeft <= 1) {
                                return CompletableFuture.failedFuture(error);
                            }
                            Executor later =
                                    CompletableFuture.delayedExecutor(
                                            settings.retryDelay().toMillis(),
                                            TimeUnit.MILLISECONDS);
                            return CompletableFuture.supplyAsync(() -> null, later)
                                    .thenCompose(
                                            ignored -> lookup(view, id, field, attemptsLeft - 1));
                        });
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
        }
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
