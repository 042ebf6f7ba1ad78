package dev.changeflow.cli.verify;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The views job's hashes ({@code <prefix>:<table>:{<key>}}, one field per non-null column, plus the
 * {@code _position}, {@code _op} and {@code _ts_ms} of the change that wrote it), read with {@code
 * SCAN} and pipelined {@code HGETALL}s.
 */
final class RedisSide implements SinkSide {

    private static final int BATCH = 500;
    private static final String POSITION = "_position";

    private final String keyPrefix;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final Map<String, Long> unreadable = new HashMap<>();

    RedisSide(String uri, String keyPrefix) {
        this.keyPrefix = keyPrefix;
        this.client = RedisClient.create(uri);
        this.connection = client.connect();
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String target(TableShape table) {
        return keyPrefix + ":" + table.name() + ":{*}";
    }

    @Override
    public Projection projection(TableShape table) {
        return Projection.wholeRow(table);
    }

    @Override
    public void load(TableShape table, Projection projection, SortedStore store) {
        RedisAsyncCommands<String, String> redis = connection.async();
        ScanArgs match = ScanArgs.Builder.matches(glob(table)).limit(BATCH);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = connection.sync().scan(cursor, match);
            List<String> keys = new ArrayList<>();
            for (String key : page.getKeys()) {
                if (key.endsWith("}")) { // not a delete marker ({...}:deleted)
                    keys.add(key);
                }
            }
            fetch(table, projection, store, redis, keys);
            cursor = page;
        } while (!cursor.isFinished());
    }

    @Override
    public void refresh(
            TableShape table, Projection projection, SortedStore store, List<List<Object>> keys) {
        List<String> hashes = new ArrayList<>();
        for (List<Object> key : keys) {
            StringJoiner text = new StringJoiner(":");
            key.forEach(part -> text.add(part.toString()));
            hashes.add(keyPrefix + ":" + table.name() + ":{" + text + "}");
        }
        for (int i = 0; i < hashes.size(); i += BATCH) {
            fetch(
                    table,
                    projection,
                    store,
                    connection.async(),
                    hashes.subList(i, Math.min(hashes.size(), i + BATCH)));
        }
    }

    @Override
    public long unreadable(TableShape table) {
        return unreadable.getOrDefault(table.qualified(), 0L);
    }

    private void fetch(
            TableShape table,
            Projection projection,
            SortedStore store,
            RedisAsyncCommands<String, String> redis,
            List<String> keys) {
        List<RedisFuture<Map<String, String>>> rows = new ArrayList<>(keys.size());
        for (String key : keys) {
            rows.add(redis.hgetall(key));
        }
        if (!LettuceFutures.awaitAll(Duration.ofSeconds(60), rows.toArray(new RedisFuture[0]))) {
            throw new IllegalStateException("Redis did not answer within 60 s");
        }
        for (int i = 0; i < keys.size(); i++) {
            byte[] sortKey;
            try {
                sortKey = SortKeys.of(projection.keyFromText(keyParts(table, keys.get(i))));
            } catch (RuntimeException notThisTablesKey) {
                unreadable.merge(table.qualified(), 1L, Long::sum);
                continue;
            }
            Map<String, String> fields = rows.get(i).toCompletableFuture().join();
            store.put(
                    sortKey,
                    fields.isEmpty()
                            ? new SortedStore.StoredRow(null, true, Map.of())
                            : new SortedStore.StoredRow(
                                    fields.get(POSITION), false, projection.ofSink(fields)));
        }
    }

    /** {@code view:orders:{42}} -> [42]; composite keys are joined by {@code :}. */
    private List<String> keyParts(TableShape table, String key) {
        String text =
                key.substring(keyPrefix.length() + table.name().length() + 3, key.length() - 1);
        return table.key().size() == 1 ? List.of(text) : List.of(text.split(":", -1));
    }

    private String glob(TableShape table) {
        return escape(keyPrefix) + ":" + escape(table.name()) + ":{*}";
    }

    private static String escape(String text) {
        return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
