package dev.changeflow.schemas;

import java.io.Serializable;
import java.util.List;

/** Gives the primary key column names of the table a change comes from. */
@FunctionalInterface
public interface PrimaryKeyResolver extends Serializable {

    /** The primary key column names, in key order, of {@code source}'s table. */
    List<String> primaryKeyColumns(SourceInfo source);

    /** A resolver for a single table, or tables that share the key column names. */
    static PrimaryKeyResolver fixed(List<String> columns) {
        if (columns == null || columns.isEmpty()) {
            throw new IllegalArgumentException("primary key columns must not be empty");
        }
        List<String> copy = List.copyOf(columns);
        return source -> copy;
    }
}
