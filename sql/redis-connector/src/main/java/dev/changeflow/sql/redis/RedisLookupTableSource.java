package dev.changeflow.sql.redis;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.lookup.AsyncLookupFunctionProvider;
import org.apache.flink.table.connector.source.lookup.LookupFunctionProvider;
import org.apache.flink.table.connector.source.lookup.LookupOptions;
import org.apache.flink.table.connector.source.lookup.PartialCachingAsyncLookupProvider;
import org.apache.flink.table.connector.source.lookup.PartialCachingLookupProvider;
import org.apache.flink.table.connector.source.lookup.cache.DefaultLookupCache;

import java.util.Arrays;

/**
 * A lookup-only table over Redis: {@code JOIN t FOR SYSTEM_TIME AS OF o.proc_time ON o.k = t.id}
 * reads the key built from the primary key's values. Sync or async lookups, with Flink's partial
 * cache ({@code 'lookup.cache' = 'PARTIAL'} and the {@code lookup.partial-cache.*} options).
 */
final class RedisLookupTableSource implements LookupTableSource {

    private final ReadableConfig options;
    private final RedisRows rows;
    private final int[] primaryKey;

    RedisLookupTableSource(ReadableConfig options, RedisRows rows, int[] primaryKey) {
        this.options = options;
        this.rows = rows;
        this.primaryKey = primaryKey.clone();
    }

    @Override
    public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
        int[] keys = new int[context.getKeys().length];
        for (int i = 0; i < keys.length; i++) {
            if (context.getKeys()[i].length != 1) {
                throw new ValidationException(
                        "changeflow-redis table "
                                + rows.table()
                                + ": nested keys are not supported");
            }
            keys[i] = context.getKeys()[i][0];
        }
        // the key row comes in the join's order; the Redis key wants the primary key's order
        if (!Arrays.equals(keys, primaryKey)) {
            int[] sortedJoin = keys.clone();
            int[] sortedKey = primaryKey.clone();
            Arrays.sort(sortedJoin);
            Arrays.sort(sortedKey);
            throw new ValidationException(
                    String.format(
                            "changeflow-redis table %s: a lookup join must use exactly the primary"
                                    + " key's columns %s, in that order (each Redis key is built"
                                    + " from them), got columns %s",
                            rows.table(),
                            Arrays.toString(primaryKey),
                            Arrays.equals(sortedJoin, sortedKey)
                                    ? Arrays.toString(keys) + " (reorder the ON clause)"
                                    : Arrays.toString(keys)));
        }
        RedisLookups redis =
                new RedisLookups(
                        options.get(RedisLookupOptions.URI),
                        options.get(RedisLookupOptions.TIMEOUT),
                        options.get(LookupOptions.MAX_RETRIES),
                        options.get(RedisLookupOptions.LOOKUP_MISSING_KEY),
                        rows);
        LookupOptions.LookupCacheType cache = options.get(LookupOptions.CACHE_TYPE);
        if (cache == LookupOptions.LookupCacheType.FULL) {
            throw new ValidationException(
                    "changeflow-redis table "
                            + rows.table()
                            + ": 'lookup.cache' = 'FULL' is not supported (it would scan the whole"
                            + " keyspace); use 'PARTIAL' or 'NONE'");
        }
        boolean partial = cache == LookupOptions.LookupCacheType.PARTIAL;
        if (options.get(RedisLookupOptions.LOOKUP_ASYNC)) {
            RedisAsyncLookupFunction function = new RedisAsyncLookupFunction(redis);
            return partial
                    ? PartialCachingAsyncLookupProvider.of(
                            function, DefaultLookupCache.fromConfig(options))
                    : AsyncLookupFunctionProvider.of(function);
        }
        RedisLookupFunction function = new RedisLookupFunction(redis);
        return partial
                ? PartialCachingLookupProvider.of(function, DefaultLookupCache.fromConfig(options))
                : LookupFunctionProvider.of(function);
    }

    @Override
    public DynamicTableSource copy() {
        return new RedisLookupTableSource(options, rows, primaryKey);
    }

    @Override
    public String asSummaryString() {
        return "changeflow-redis";
    }
}
