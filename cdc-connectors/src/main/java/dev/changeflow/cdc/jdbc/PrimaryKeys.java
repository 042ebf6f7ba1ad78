package dev.changeflow.cdc.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads the primary key columns of the captured tables from the database's metadata, so that a job
 * keys every record by its row's key (see {@link
 * dev.changeflow.schemas.PrimaryKeyResolver#byTable}).
 *
 * <p>Table names are matched the way Flink CDC matches its {@code table-list}: each entry is a
 * regular expression over the qualified name, {@code schema.table} on PostgreSQL and {@code
 * db.table} on MariaDB/MySQL.
 */
public final class PrimaryKeys {

    /** How a database qualifies table names. */
    public enum Namespace {
        /** PostgreSQL: {@code schema.table} inside the connected database. */
        SCHEMA,
        /** MariaDB/MySQL: {@code db.table}; JDBC calls the database a catalog. */
        CATALOG
    }

    private static final String[] TABLE_TYPES = {"TABLE", "PARTITIONED TABLE"};

    private PrimaryKeys() {}

    /**
     * The key columns, in key order, of every table matching one of {@code tablePatterns}, by
     * qualified name. Tables without a primary key map to an empty list.
     */
    public static Map<String, List<String>> read(
            Connection connection, Namespace namespace, List<String> tablePatterns)
            throws SQLException {
        List<Pattern> patterns = new ArrayList<>();
        for (String table : tablePatterns) {
            patterns.add(Pattern.compile(table.trim()));
        }
        DatabaseMetaData metadata = connection.getMetaData();
        Map<String, List<String>> keys = new LinkedHashMap<>();
        try (ResultSet tables = metadata.getTables(null, null, "%", TABLE_TYPES)) {
            while (tables.next()) {
                String catalog = tables.getString("TABLE_CAT");
                String schema = tables.getString("TABLE_SCHEM");
                String table = tables.getString("TABLE_NAME");
                String qualified = (namespace == Namespace.SCHEMA ? schema : catalog) + "." + table;
                if (patterns.stream().anyMatch(p -> p.matcher(qualified).matches())) {
                    keys.put(qualified, keyColumns(metadata, catalog, schema, table));
                }
            }
        }
        return keys;
    }

    /** Opens a connection (a preflight's, which names its own failures). */
    @FunctionalInterface
    public interface Connect {
        Connection open() throws SQLException;
    }

    /**
     * {@link #read} on a connection of its own.
     *
     * @param where the server, for the message
     * @throws dev.changeflow.cdc.log.CdcSetupException naming the server if the metadata cannot be
     *     read
     */
    public static Map<String, List<String>> read(
            Connect connect, Namespace namespace, List<String> tablePatterns, String where) {
        try (Connection connection = connect.open()) {
            return read(connection, namespace, tablePatterns);
        } catch (SQLException e) {
            throw new dev.changeflow.cdc.log.CdcSetupException(
                    "cannot read the primary keys of the captured tables at "
                            + where
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private static List<String> keyColumns(
            DatabaseMetaData metadata, String catalog, String schema, String table)
            throws SQLException {
        Map<Short, String> bySequence = new TreeMap<>();
        try (ResultSet columns = metadata.getPrimaryKeys(catalog, schema, table)) {
            while (columns.next()) {
                bySequence.put(columns.getShort("KEY_SEQ"), columns.getString("COLUMN_NAME"));
            }
        }
        return List.copyOf(bySequence.values());
    }
}
