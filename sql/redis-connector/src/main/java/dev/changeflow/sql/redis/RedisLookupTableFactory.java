package dev.changeflow.sql.redis;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.lookup.LookupOptions;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.LogicalType;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code 'connector' = 'changeflow-redis'}: a lookup table over Redis hashes (default) or strings.
 *
 * <pre>{@code
 * CREATE TABLE products (
 *   id BIGINT, category STRING, price DECIMAL(10, 2),
 *   PRIMARY KEY (id) NOT ENFORCED
 * ) WITH (
 *   'connector' = 'changeflow-redis',
 *   'uri' = 'redis://127.0.0.1:6379',
 *   'key.prefix' = 'view:products:', 'key.hash-tag' = 'true',   -- the views job's keys
 *   'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.expire-after-write' = '10 s',
 *   'lookup.partial-cache.max-rows' = '100000'
 * );
 * }</pre>
 */
public final class RedisLookupTableFactory implements DynamicTableSourceFactory {

    public static final String IDENTIFIER = "changeflow-redis";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(RedisLookupOptions.URI);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(
                RedisLookupOptions.DATA_TYPE,
                RedisLookupOptions.KEY_PREFIX,
                RedisLookupOptions.KEY_HASH_TAG,
                RedisLookupOptions.KEY_SEPARATOR,
                RedisLookupOptions.LOOKUP_ASYNC,
                RedisLookupOptions.LOOKUP_MISSING_KEY,
                RedisLookupOptions.TIMEOUT,
                LookupOptions.CACHE_TYPE,
                LookupOptions.PARTIAL_CACHE_EXPIRE_AFTER_ACCESS,
                LookupOptions.PARTIAL_CACHE_EXPIRE_AFTER_WRITE,
                LookupOptions.PARTIAL_CACHE_MAX_ROWS,
                LookupOptions.PARTIAL_CACHE_CACHE_MISSING_KEY,
                LookupOptions.MAX_RETRIES);
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        ResolvedSchema schema = context.getCatalogTable().getResolvedSchema();
        List<String> names = new ArrayList<>();
        List<LogicalType> types = new ArrayList<>();
        for (Column column : schema.getColumns()) {
            if (column.isPhysical()) {
                names.add(column.getName());
                types.add(column.getDataType().getLogicalType());
            }
        }
        int[] primaryKey =
                schema.getPrimaryKey()
                        .map(UniqueConstraint::getColumns)
                        .map(columns -> columns.stream().mapToInt(names::indexOf).toArray())
                        .orElse(new int[0]);
        var options = helper.getOptions();
        RedisRows rows =
                new RedisRows(
                        context.getObjectIdentifier().asSummaryString(),
                        names,
                        types,
                        primaryKey,
                        options.get(RedisLookupOptions.DATA_TYPE),
                        options.get(RedisLookupOptions.KEY_PREFIX),
                        options.get(RedisLookupOptions.KEY_HASH_TAG),
                        options.get(RedisLookupOptions.KEY_SEPARATOR));
        return new RedisLookupTableSource(options, rows, primaryKey);
    }
}
