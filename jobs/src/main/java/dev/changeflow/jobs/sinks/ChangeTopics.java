package dev.changeflow.jobs.sinks;

import dev.changeflow.schemas.SourceInfo;

/**
 * The one place that names change topics: {@code <prefix>.<db>.<schema>.<table>}, or {@code
 * <prefix>.<db>.<table>} for databases without schemas (MariaDB/MySQL), as Debezium names them.
 */
public final class ChangeTopics {

    /** The default topic prefix. */
    public static final String DEFAULT_PREFIX = "cdc";

    private ChangeTopics() {}

    public static String topic(String prefix, SourceInfo source) {
        return topic(prefix, source.db(), source.schema(), source.table());
    }

    public static String topic(String prefix, String db, String schema, String table) {
        StringBuilder topic = new StringBuilder();
        if (prefix != null && !prefix.isEmpty()) {
            topic.append(prefix).append('.');
        }
        topic.append(db).append('.');
        if (schema != null && !schema.isEmpty()) {
            topic.append(schema).append('.');
        }
        return topic.append(table).toString();
    }
}
