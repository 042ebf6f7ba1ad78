package dev.changeflow.sql.redis;

import org.apache.flink.table.data.RowData;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The Redis side of a lookup function, sync or async: one Lettuce connection per subtask (Lettuce
 * pipelines the commands of all lookups in flight on it), a key's row read with HGETALL or GET, a
 * failed command retried up to {@code lookup.max-retries} times with a growing pause.
 */
final class RedisLookups implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String uri;
    private final Duration timeout;
    private final int maxRetries;
    private final RedisLookupOptions.MissingKey missingKey;
    private final RedisRows rows;

    private transient RedisClient client;
    private transient StatefulRedisConnection<String, String> connection;
    private transient RedisAsyncCommands<String, String> redis;

    RedisLookups(
            String uri,
            Duration timeout,
            int maxRetries,
            RedisLookupOptions.MissingKey missingKey,
            RedisRows rows) {
        this.uri = uri;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.missingKey = missingKey;
        this.rows = rows;
    }

    void open() {
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(timeout);
        client = RedisClient.create(redisUri);
        client.setOptions(
                ClientOptions.builder()
                        .timeoutOptions(TimeoutOptions.enabled(timeout))
                        .autoReconnect(true)
                        .build());
        connection = client.connect();
        redis = connection.async();
    }

    void close() {
        if (connection != null) {
            connection.close();
        }
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** The rows (none or one) under the key of {@code keyRow}. */
    CompletableFuture<Collection<RowData>> lookup(RowData keyRow) {
        String key = rows.key(keyRow);
        return attempt(keyRow, key, 0);
    }

    private CompletableFuture<Collection<RowData>> attempt(RowData keyRow, String key, int retry) {
        return fetch(keyRow, key)
                .handle(
                        (result, error) -> {
                            if (error == null) {
                                return CompletableFuture.completedFuture(result);
                            }
                            Throwable cause =
                                    error instanceof CompletionException && error.getCause() != null
                                            ? error.getCause()
                                            : error;
                            if (cause instanceof IllegalArgumentException
                                    || cause instanceof MissingKeyException
                                    || retry >= maxRetries) {
                                return CompletableFuture.<Collection<RowData>>failedFuture(
                                        retry > 0 && !(cause instanceof IllegalArgumentException)
                                                ? new java.io.IOException(
                                                        "changeflow-redis: lookup of "
                                                                + key
                                                                + " failed after "
                                                                + (retry + 1)
                                                                + " attempts",
                                                        cause)
                                                : cause);
                            }
                            Executor later =
                                    CompletableFuture.delayedExecutor(
                                            100L << Math.min(retry, 5), TimeUnit.MILLISECONDS);
                            return CompletableFuture.supplyAsync(() -> key, later)
                                    .thenCompose(k -> attempt(keyRow, k, retry + 1));
                        })
                .thenCompose(f -> f);
    }

    private CompletableFuture<Collection<RowData>> fetch(RowData keyRow, String key) {
        if (rows.dataType() == RedisLookupOptions.DataType.HASH) {
            return redis.hgetall(key)
                    .toCompletableFuture()
                    .thenApply(
                            (Map<String, String> hash) ->
                                    hash.isEmpty()
                                            ? missing(key)
                                            : List.of(rows.fromHash(keyRow, key, hash)));
        }
        return redis.get(key)
                .toCompletableFuture()
                .thenApply(
                        value ->
                                value == null
                                        ? missing(key)
                                        : List.of(rows.fromString(keyRow, key, value)));
    }

    private Collection<RowData> missing(String key) {
        if (missingKey == RedisLookupOptions.MissingKey.FAIL) {
            throw new MissingKeyException(
                    "changeflow-redis table "
                            + rows.table()
                            + ": key "
                            + key
                            + " holds nothing ('lookup.missing-key' = 'fail')");
        }
        return List.of();
    }

    /** A key that holds nothing, under {@code 'lookup.missing-key' = 'fail'}. */
    static final class MissingKeyException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        MissingKeyException(String message) {
            super(message);
        }
    }
}
