package dev.changeflow.schemas;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a change was captured; written to {@code source.connector} in lower case ({@code log}, {@code
 * trigger}, {@code query}).
 */
public enum Connector {
    /** Read from the database's log: PostgreSQL logical replication, MariaDB/MySQL binlog. */
    LOG,
    /** Recorded by triggers into an audit table that a source polls. */
    TRIGGER,
    /** Found by polling the table on an incrementing or timestamp column. */
    QUERY;

    private static final String ALL_NAMES =
            Arrays.stream(values()).map(Connector::jsonName).collect(Collectors.joining(", "));

    private final String jsonName = name().toLowerCase(Locale.ROOT);

    /** The lower-case name written to {@code source.connector}. */
    public String jsonName() {
        return jsonName;
    }

    /**
     * Returns the connector with the given lower-case JSON name.
     *
     * @throws IllegalArgumentException if the name is not one of {@code log}, {@code trigger},
     *     {@code query}
     */
    public static Connector fromJsonName(String name) {
        for (Connector connector : values()) {
            if (connector.jsonName.equals(name)) {
                return connector;
            }
        }
        throw new IllegalArgumentException(
                "unknown connector "
                        + (name == null ? "null" : "'" + name + "'")
                        + ", expected one of "
                        + ALL_NAMES);
    }
}
