package dev.changeflow.sql.redis;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncLookupFunction;
import org.apache.flink.table.functions.FunctionContext;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/** Async lookups ({@code 'lookup.async' = 'true'}): many keys in flight on one connection. */
public final class RedisAsyncLookupFunction extends AsyncLookupFunction {

    private static final long serialVersionUID = 1L;

    private final RedisLookups redis;

    RedisAsyncLookupFunction(RedisLookups redis) {
        this.redis = redis;
    }

    @Override
    public void open(FunctionContext context) {
        redis.open();
    }

    @Override
    public CompletableFuture<Collection<RowData>> asyncLookup(RowData keyRow) {
        return redis.lookup(keyRow);
    }

    @Override
    public void close() {
        redis.close();
    }
}
