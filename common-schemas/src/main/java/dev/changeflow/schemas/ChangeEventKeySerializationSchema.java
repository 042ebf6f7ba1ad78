package dev.changeflow.schemas;

import org.apache.flink.api.common.serialization.SerializationSchema;

import java.util.List;

/**
 * Writes the record key of a {@link ChangeEvent}: its primary key columns as JSON, e.g. {@code
 * {"id":42}} (see {@link ChangeEvent#key(List)}). Use it as the key serialization schema of a Kafka
 * sink so that a compacted topic keeps the latest change per row.
 */
public class ChangeEventKeySerializationSchema implements SerializationSchema<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    private final PrimaryKeyResolver primaryKeys;

    /** Keys the events of many tables, each by its own primary key. */
    public ChangeEventKeySerializationSchema(PrimaryKeyResolver primaryKeys) {
        if (primaryKeys == null) {
            throw new IllegalArgumentException("primary key resolver must not be null");
        }
        this.primaryKeys = primaryKeys;
    }

    /** Keys the events of one table by the given primary key columns. */
    public ChangeEventKeySerializationSchema(List<String> primaryKeyColumns) {
        this(PrimaryKeyResolver.fixed(primaryKeyColumns));
    }

    @Override
    public byte[] serialize(ChangeEvent event) {
        return ChangeEventJson.keyToBytes(event.key(primaryKeys.primaryKeyColumns(event.source())));
    }
}
