package dev.changeflow.schemas;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * A resolver from a table's qualified name ({@code schema.table}, or {@code db.table} for
     * databases without schemas, see {@link #qualifiedName(SourceInfo)}) to its key columns, e.g.
     * read from the database's metadata when a job starts. A table that is not in the map, or has
     * no primary key, resolves to an empty list: its records get no key (as in Debezium).
     */
    static PrimaryKeyResolver byTable(Map<String, List<String>> keyColumnsByTable) {
        Map<String, List<String>> copy = new HashMap<>();
        keyColumnsByTable.forEach((table, columns) -> copy.put(table, List.copyOf(columns)));
        return source -> copy.getOrDefault(qualifiedName(source), List.of());
    }

    /** {@code schema.table}, or {@code db.table} when the source has no schema. */
    static String qualifiedName(SourceInfo source) {
        String namespace =
                source.schema() == null || source.schema().isEmpty()
                        ? source.db()
                        : source.schema();
        return namespace + "." + source.table();
    }
}
