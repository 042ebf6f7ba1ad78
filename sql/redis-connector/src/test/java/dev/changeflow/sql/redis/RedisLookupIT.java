package dev.changeflow.sql.redis;

import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.RedisServer;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Lookup joins of Flink SQL against a real Redis: the views job's hashes ({@code
 * view:products:{id}} with {@code _op} / {@code _ts_ms} besides the columns), strings, composite
 * keys, async and sync, cached and not, a missing key under both policies, and the errors a user
 * gets for a table or a join the connector cannot serve.
 */
@LocalStackTest(services = Service.REDIS)
class RedisLookupIT {

    private static final String RUN = "rl" + Long.toString(System.nanoTime() & 0xffffff, 36);
    private static String uri;

    @BeforeAll
    static void seed(RedisServer redis) {
        uri = redis.uri();
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            var r = c.sync();
            r.hset(
                    RUN + ":view:products:{1}",
                    Map.of(
                            "_op", "r",
                            "_ts_ms", "1700000000000",
                            "id", "1",
                            "category", "books",
                            "price", "12.50",
                            "updated_at", "2024-01-01 12:00:00.000"));
            r.hset(
                    RUN + ":view:products:{2}",
                    Map.of("_op", "u", "id", "2", "category", "games", "price", "59.99"));
            r.set(RUN + ":sku:north|7", "seven in the north");
            r.set(RUN + ":sku:south|7", "seven in the south");
        } finally {
            client.shutdown();
        }
    }

    @AfterAll
    static void clean() {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            List<String> keys = c.sync().keys(RUN + ":*");
            if (!keys.isEmpty()) {
                c.sync().del(keys.toArray(new String[0]));
            }
        } finally {
            client.shutdown();
        }
    }

    private static TableEnvironment tables() {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", "1");
        env.executeSql(
                "CREATE TEMPORARY VIEW orders AS SELECT *, PROCTIME() AS proc FROM (VALUES"
                        + " (101, CAST(1 AS BIGINT), 'north'), (102, CAST(2 AS BIGINT), 'south'),"
                        + " (103, CAST(3 AS BIGINT), 'north'), (104, CAST(1 AS BIGINT), 'east'))"
                        + " AS o(order_id, product_id, warehouse)");
        return env;
    }

    private static String products(String more) {
        return "CREATE TEMPORARY TABLE products (id BIGINT, category STRING,"
                + " price DECIMAL(10, 2), updated_at TIMESTAMP(3), PRIMARY KEY (id) NOT ENFORCED)"
                + " WITH ('connector' = 'changeflow-redis', 'uri' = '"
                + uri
                + "', 'key.prefix' = '"
                + RUN
                + ":view:products:', 'key.hash-tag' = 'true'"
                + more
                + ")";
    }

    private static List<Row> collect(TableEnvironment env, String query) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = env.executeSql(query).collect()) {
            it.forEachRemaining(rows::add);
        }
        rows.sort((a, b) -> Integer.compare((Integer) a.getField(0), (Integer) b.getField(0)));
        return rows;
    }

    private static final String ENRICH =
            "SELECT o.order_id, p.category, p.price, p.updated_at FROM orders AS o"
                    + " LEFT JOIN products FOR SYSTEM_TIME AS OF o.proc AS p"
                    + " ON o.product_id = p.id";

    @Test
    void aLeftJoinEnrichesFromTheViewsHashesAsyncAndCachedAndGivesNullsForAMissingKey()
            throws Exception {
        TableEnvironment env = tables();
        env.executeSql(
                products(
                        ", 'lookup.cache' = 'PARTIAL',"
                                + " 'lookup.partial-cache.expire-after-write' = '10 s',"
                                + " 'lookup.partial-cache.max-rows' = '1000'"));
        assertThat(collect(env, ENRICH))
                .containsExactly(
                        Row.of(
                                101,
                                "books",
                                new BigDecimal("12.50"),
                                LocalDateTime.of(2024, 1, 1, 12, 0)),
                        Row.of(102, "games", new BigDecimal("59.99"), null),
                        Row.of(103, null, null, null),
                        Row.of(
                                104,
                                "books",
                                new BigDecimal("12.50"),
                                LocalDateTime.of(2024, 1, 1, 12, 0)));
    }

    @Test
    void syncUncachedLookupsOfStringsUnderACompositeKeyAndAnInnerJoinDropsTheMissing()
            throws Exception {
        TableEnvironment env = tables();
        env.executeSql(
                "CREATE TEMPORARY TABLE skus (warehouse STRING, sku BIGINT, name STRING,"
                        + " PRIMARY KEY (warehouse, sku) NOT ENFORCED) WITH ("
                        + " 'connector' = 'changeflow-redis', 'uri' = '"
                        + uri
                        + "', 'data-type' = 'string', 'key.prefix' = '"
                        + RUN
                        + ":sku:', 'key.separator' = '|', 'lookup.async' = 'false')");
        // the ON clause in the key's order; 7 for every order
        List<Row> rows =
                collect(
                        env,
                        "SELECT o.order_id, s.name FROM orders AS o"
                                + " JOIN skus FOR SYSTEM_TIME AS OF o.proc AS s"
                                + " ON o.warehouse = s.warehouse AND CAST(7 AS BIGINT) = s.sku");
        assertThat(rows)
                .containsExactly(
                        Row.of(101, "seven in the north"),
                        Row.of(102, "seven in the south"),
                        Row.of(103, "seven in the north"));
    }

    @Test
    void aMissingKeyFailsTheJobNamingTheKeyWhenThePolicyIsFail() {
        TableEnvironment env = tables();
        env.executeSql(products(", 'lookup.missing-key' = 'fail'"));
        assertThatThrownBy(() -> collect(env, ENRICH))
                .rootCause()
                .hasMessageContaining("key " + RUN + ":view:products:{3} holds nothing");
    }

    @Test
    void whatTheConnectorCannotServeIsAClearErrorBeforeTheJobRuns() {
        TableEnvironment env = tables();
        env.executeSql(products(""));
        assertThatThrownBy(
                        () ->
                                env.executeSql(
                                        "SELECT o.order_id FROM orders AS o JOIN products FOR"
                                                + " SYSTEM_TIME AS OF o.proc AS p ON"
                                                + " o.warehouse = p.category"))
                .hasRootCauseInstanceOf(ValidationException.class)
                .rootCause()
                .hasMessageContaining("must use exactly the primary key's columns");
        env.executeSql("DROP TEMPORARY TABLE products");
        env.executeSql(products(", 'lookup.cache' = 'FULL'"));
        assertThatThrownBy(() -> env.executeSql(ENRICH))
                .rootCause()
                .hasMessageContaining("'lookup.cache' = 'FULL' is not supported");
        env.executeSql("DROP TEMPORARY TABLE products");
        env.executeSql(products(", 'lookup.missing-key' = 'skip'"));
        assertThatThrownBy(() -> env.executeSql(ENRICH))
                .hasStackTraceContaining("lookup.missing-key")
                .hasStackTraceContaining("[EMPTY, FAIL]");
    }
}
