package dev.changeflow.jobs.sinks;

import java.time.Instant;

/**
 * Deterministic Elasticsearch document ids: the same element always gets the same id, so a replay
 * after a failure overwrites the document it wrote before instead of adding a second one.
 *
 * <p>Ids join their parts with {@code |}. A {@code |} or {@code \} inside a part is escaped with
 * {@code \}, and a null part is written {@code \N}, so two different lists of parts never share an
 * id ({@code ("a|b", "c")} and {@code ("a", "b|c")} stay apart).
 */
public final class DocumentIds {

    /** Separates the parts of an id. */
    public static final char SEPARATOR = '|';

    private static final char ESCAPE = '\\';

    /** Elasticsearch refuses ids longer than 512 bytes. */
    public static final int MAX_BYTES = 512;

    private DocumentIds() {}

    /**
     * The id of a row or entity from its key columns, in key order: {@code of(42)} is {@code "42"},
     * {@code of(42, 3)} is {@code "42|3"}.
     */
    public static String of(Object... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("a document id needs at least one part");
        }
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                id.append(SEPARATOR);
            }
            append(id, parts[i]);
        }
        return id.toString();
    }

    /**
     * The id of a window result: the window's key, then its start and end as UTC instants, e.g.
     * {@code "books|2025-01-01T10:00:00Z|2025-01-01T11:00:00Z"}. A replayed window firing (same
     * key, same window) gets the same id; a late firing of the same window overwrites it.
     */
    public static String window(Object key, long windowStartMillis, long windowEndMillis) {
        if (windowEndMillis < windowStartMillis) {
            throw new IllegalArgumentException(
                    "window end " + windowEndMillis + " is before its start " + windowStartMillis);
        }
        return of(
                key,
                Instant.ofEpochMilli(windowStartMillis).toString(),
                Instant.ofEpochMilli(windowEndMillis).toString());
    }

    private static void append(StringBuilder id, Object part) {
        if (part == null) {
            id.append(ESCAPE).append('N');
            return;
        }
        String text = part.toString();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == SEPARATOR || c == ESCAPE) {
                id.append(ESCAPE);
            }
            id.append(c);
        }
    }
}
