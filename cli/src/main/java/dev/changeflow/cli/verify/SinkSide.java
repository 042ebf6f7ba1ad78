package dev.changeflow.cli.verify;

import java.util.List;

/**
 * One kind of sink a verification compares the database with: it folds what it holds for a table
 * into a {@link SortedStore}, and reads again what it holds for some keys (rows still in flight).
 */
interface SinkSide extends AutoCloseable {

    /** {@code kafka}, {@code redis}, {@code elasticsearch} or {@code s3}. */
    String name();

    /** Where the table lives in this sink (a topic, a key pattern, an index, a path). */
    String target(TableShape table);

    /** The columns compared for {@code table}, and how. */
    Projection projection(TableShape table) throws Exception;

    /** Folds everything the sink holds for {@code table} into {@code store}. */
    void load(TableShape table, Projection projection, SortedStore store) throws Exception;

    /** Brings {@code store} up to date with the sink, at least for {@code keys}. */
    void refresh(
            TableShape table, Projection projection, SortedStore store, List<List<Object>> keys)
            throws Exception;

    /** Whether this sink holds {@code table} (an index or path was given for it). */
    default boolean covers(TableShape table) {
        return true;
    }

    /** Records the sink could not read (not a change event, a key that is not the table's). */
    default long unreadable(TableShape table) {
        return 0;
    }

    @Override
    default void close() throws Exception {}
}
