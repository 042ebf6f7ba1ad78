package dev.changeflow.sql.redis;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/** The options of a {@code 'connector' = 'changeflow-redis'} table, besides Flink's lookup ones. */
public final class RedisLookupOptions {

    /** How a row is stored under its key. */
    public enum DataType {
        /** A hash: one field per non-key column, named like it (the views job's rows). */
        HASH,
        /** A string: the value of the one non-key column. */
        STRING
    }

    /** What a lookup of a key that holds nothing gives. */
    public enum MissingKey {
        /** No row: a LEFT JOIN gives NULLs, an inner join drops the probe row. */
        EMPTY,
        /** The job fails, naming the key. */
        FAIL
    }

    public static final ConfigOption<String> URI =
            ConfigOptions.key("uri")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Redis URI, e.g. redis://127.0.0.1:6379 or"
                                    + " redis://:password@host:6379/0.");

    public static final ConfigOption<DataType> DATA_TYPE =
            ConfigOptions.key("data-type")
                    .enumType(DataType.class)
                    .defaultValue(DataType.HASH)
                    .withDescription(
                            "HASH: a row is a hash with a field per non-key column. STRING: a row"
                                    + " is a string, the value of the table's one non-key"
                                    + " column.");

    public static final ConfigOption<String> KEY_PREFIX =
            ConfigOptions.key("key.prefix")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Put before the key columns' values, e.g. 'view:products:' for the"
                                    + " views job's hashes of table products.");

    public static final ConfigOption<Boolean> KEY_HASH_TAG =
            ConfigOptions.key("key.hash-tag")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Wrap the key columns' values in {...} (a Redis Cluster hash tag), as"
                                    + " the views job does: view:products:{42}.");

    public static final ConfigOption<String> KEY_SEPARATOR =
            ConfigOptions.key("key.separator")
                    .stringType()
                    .defaultValue(":")
                    .withDescription(
                            "Between the values of a composite primary key, in key order.");

    public static final ConfigOption<Boolean> LOOKUP_ASYNC =
            ConfigOptions.key("lookup.async")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Look keys up asynchronously (many lookups in flight per subtask)"
                                    + " instead of one at a time.");

    public static final ConfigOption<MissingKey> LOOKUP_MISSING_KEY =
            ConfigOptions.key("lookup.missing-key")
                    .enumType(MissingKey.class)
                    .defaultValue(MissingKey.EMPTY)
                    .withDescription(
                            "A key that holds nothing: EMPTY gives no row (LEFT JOIN: NULLs),"
                                    + " FAIL fails the job naming the key.");

    public static final ConfigOption<Duration> TIMEOUT =
            ConfigOptions.key("timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("How long one Redis command may take before it is retried.");

    private RedisLookupOptions() {}
}
