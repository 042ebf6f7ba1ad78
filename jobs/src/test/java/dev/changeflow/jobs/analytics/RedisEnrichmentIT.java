package dev.changeflow.jobs.analytics;

import dev.changeflow.localstack.process.Ports;
import dev.changeflow.localstack.server.RedisServer;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.util.MockStreamingRuntimeContext;

import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Enrichment against a Redis of its own, which the test stops: found rows are enriched, missing
 * rows are flagged {@code missing}, and with Redis gone every order still comes out, flagged {@code
 * unavailable} after the retries, instead of being dropped or failing the job.
 */
class RedisEnrichmentIT {

    private RedisServer redis;
    private RedisEnrichment enrichment;

    @BeforeEach
    void start() throws Exception {
        redis = new RedisServer(Ports.free());
        redis.start();
        try (var client = RedisClient.create(redis.uri()).connect()) {
            client.sync().hset("v:products:{1}", "category", "books");
            client.sync().hset("v:customers:{7}", "region", "north");
        }
        enrichment =
                new RedisEnrichment(
                        new RedisEnrichment.Settings(
                                redis.uri(),
                                "v",
                                Duration.ZERO,
                                100,
                                3,
                                Duration.ofMillis(50),
                                Duration.ofMillis(300)));
        enrichment.setRuntimeContext(new MockStreamingRuntimeContext(false, 1, 0));
        enrichment.open(new Configuration());
    }

    @AfterEach
    void stop() {
        enrichment.close();
        redis.close();
    }

    @Test
    void foundMissingAndUnavailableAreAllEmitted() throws Exception {
        OrderEvent found = enrich(order(1, 7));
        assertThat(found.category()).isEqualTo("books");
        assertThat(found.region()).isEqualTo("north");
        assertThat(found.enrichment()).isEqualTo(OrderEvent.ENRICHED);

        OrderEvent missing = enrich(order(2, 7));
        assertThat(missing.category()).isEqualTo(OrderEvent.UNKNOWN);
        assertThat(missing.region()).isEqualTo("north");
        assertThat(missing.enrichment()).isEqualTo(OrderEvent.MISSING);

        redis.close();
        long begin = System.nanoTime();
        OrderEvent unavailable = enrich(order(1, 7));
        assertThat(unavailable.enrichment()).isEqualTo(OrderEvent.UNAVAILABLE);
        assertThat(unavailable.category()).isEqualTo(OrderEvent.UNKNOWN);
        assertThat(unavailable.amountCents()).isEqualTo(1234);
        assertThat(Duration.ofNanos(System.nanoTime() - begin))
                .as("three tries, not forever")
                .isLessThan(Duration.ofSeconds(10));
    }

    private OrderEvent enrich(OrderEvent order) throws Exception {
        CompletableFuture<Collection<OrderEvent>> result = new CompletableFuture<>();
        enrichment.asyncInvoke(
                order,
                new ResultFuture<>() {
                    @Override
                    public void complete(Collection<OrderEvent> events) {
                        result.complete(events);
                    }

                    @Override
                    public void completeExceptionally(Throwable error) {
                        result.completeExceptionally(error);
                    }
                });
        Collection<OrderEvent> events = result.get(20, TimeUnit.SECONDS);
        assertThat(events).hasSize(1);
        return events.iterator().next();
    }

    private static OrderEvent order(long product, long customer) {
        return new OrderEvent(9, customer, product, 1234, "new", 0, 1, "c", "p", null, null, null);
    }
}
