package dev.changeflow.cdc.config;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PostgreSQL {@code hstore} values in one key order for every capture method: the order PostgreSQL
 * itself keeps hstore and jsonb keys in (shorter UTF-8 key first, then bytewise), so the log source
 * (Debezium's map, unordered), the query source (the JDBC driver's map, unordered) and the trigger
 * source ({@code to_jsonb}, already in this order) write the same JSON object, as TYPES.md says.
 */
public final class PostgresHstore {

    private static final Comparator<String> POSTGRES_ORDER =
            Comparator.comparingInt((String key) -> key.getBytes(StandardCharsets.UTF_8).length)
                    .thenComparing(
                            (a, b) ->
                                    Arrays.compareUnsigned(
                                            a.getBytes(StandardCharsets.UTF_8),
                                            b.getBytes(StandardCharsets.UTF_8)));

    private PostgresHstore() {}

    /** The entries in PostgreSQL's key order; values as given (text or null). */
    public static Map<String, Object> ordered(Map<?, ?> hstore) {
        Map<String, Object> ordered = new LinkedHashMap<>();
        hstore.keySet().stream()
                .map(String::valueOf)
                .sorted(POSTGRES_ORDER)
                .forEach(key -> ordered.put(key, hstore.get(key)));
        return ordered;
    }
}
