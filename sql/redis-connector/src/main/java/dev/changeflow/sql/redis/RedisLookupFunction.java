package dev.changeflow.sql.redis;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.LookupFunction;

import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.ExecutionException;

/** One lookup at a time ({@code 'lookup.async' = 'false'}). */
public final class RedisLookupFunction extends LookupFunction {

    private static final long serialVersionUID = 1L;

    private final RedisLookups redis;

    RedisLookupFunction(RedisLookups redis) {
        this.redis = redis;
    }

    @Override
    public void open(FunctionContext context) {
        redis.open();
    }

    @Override
    public Collection<RowData> lookup(RowData keyRow) throws IOException {
        try {
            return redis.lookup(keyRow).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException) {
                throw (IOException) e.getCause();
            }
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new IOException(e.getCause());
        }
    }

    @Override
    public void close() {
        redis.close();
    }
}
