package dev.changeflow.cli.verify;

import dev.changeflow.cdc.jdbc.PrimaryKeys;
import dev.changeflow.cdc.query.config.QueryDialect;
import dev.changeflow.cdc.query.config.QuerySourceConfig;
import dev.changeflow.cdc.query.config.QueryStartupMode;
import dev.changeflow.cdc.query.dialect.Dialect;
import dev.changeflow.cli.verify.TableShape.ColumnKind;
import dev.changeflow.schemas.ColumnValues;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The database side of a verification: the captured tables' shapes, and their rows read in primary
 * key order, a range at a time (keyset pagination, one short statement per range, so no long
 * transaction holds back the server's cleanup). Values are read as the capture methods read them
 * (the query method's per-database reading, then {@link ColumnValues}), so a row compares with the
 * envelope's {@code after} column by column.
 */
public final class Database implements Reconciler.Rows, AutoCloseable {

    /** A database row: its key parts, its sort key and its values in the envelope's model. */
    record Row(List<Object> key, byte[] sortKey, Map<String, Object> values) {}

    private final QueryDialect kind;
    private final Dialect dialect;
    private final String database;
    private final Connection connection;

    /** Per table, its key columns as ORDER BY sorts them in {@link SortKeys} order. */
    private final Map<String, String> orderBy = new java.util.HashMap<>();

    private Database(QueryDialect kind, String database, Connection connection) {
        this.kind = kind;
        this.dialect = Dialect.of(kind);
        this.database = database;
        this.connection = connection;
    }

    /** Connects with the capture methods' session settings (UTC). */
    static Database connect(
            QueryDialect kind,
            String hostname,
            int port,
            String database,
            String username,
            String password)
            throws SQLException {
        return new Database(
                kind, database, open(kind, hostname, port, database, username, password));
    }

    /** A connection with the capture methods' driver and session settings (UTC). */
    public static Connection open(
            QueryDialect kind,
            String hostname,
            int port,
            String database,
            String username,
            String password)
            throws SQLException {
        QuerySourceConfig config =
                new QuerySourceConfig(
                        kind,
                        hostname,
                        port,
                        database,
                        username,
                        password,
                        Map.of(),
                        QueryStartupMode.INITIAL,
                        Duration.ofSeconds(1),
                        1,
                        Duration.ZERO,
                        null,
                        null,
                        null,
                        Duration.ZERO,
                        false);
        return Dialect.of(kind).connect(config);
    }

    boolean postgres() {
        return kind == QueryDialect.POSTGRES;
    }

    /**
     * The tables matching {@code patterns} (regular expressions over {@code schema.table} or {@code
     * db.table}, as {@code table-list} of the capture methods), in the order listed.
     *
     * @throws IllegalArgumentException if a pattern matches nothing or a table has no usable key
     */
    List<TableShape> tables(List<String> patterns) throws SQLException {
        Map<String, List<String>> keys =
                PrimaryKeys.read(connection, dialect.namespace(), patterns);
        List<TableShape> shapes = new ArrayList<>();
        for (String pattern : patterns) {
            boolean matched = false;
            for (Map.Entry<String, List<String>> table : keys.entrySet()) {
                if (table.getKey().matches(pattern.trim())) {
                    matched = true;
                    if (shapes.stream().noneMatch(s -> s.qualified().equals(table.getKey()))) {
                        shapes.add(shape(table.getKey(), table.getValue()));
                    }
                }
            }
            if (!matched) {
                throw new IllegalArgumentException(
                        "no table matches '" + pattern.trim() + "' of --table-list in " + database);
            }
        }
        return shapes;
    }

    private TableShape shape(String qualified, List<String> key) throws SQLException {
        if (key.isEmpty()) {
            throw new IllegalArgumentException(
                    "table "
                            + qualified
                            + " has no primary key: verify compares rows by primary key");
        }
        int dot = qualified.indexOf('.');
        String namespace = qualified.substring(0, dot);
        String table = qualified.substring(dot + 1);
        Map<String, ColumnKind> columns = new LinkedHashMap<>();
        try (Statement st = connection.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT * FROM "
                                        + dialect.quote(namespace)
                                        + "."
                                        + dialect.quote(table)
                                        + " WHERE 1 = 0")) {
            ResultSetMetaData meta = rs.getMetaData();
            Map<String, String> keyOrder = new LinkedHashMap<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                String column = meta.getColumnLabel(i);
                ColumnKind kind = kindOf(meta.getColumnType(i), meta.getColumnTypeName(i));
                columns.put(column, kind);
                if (key.contains(column)) {
                    keyOrder.put(column, orderExpression(column, kind, meta.getColumnTypeName(i)));
                }
                if (key.contains(column) && !usableKey(meta, i)) {
                    throw new IllegalArgumentException(
                            "key column "
                                    + column
                                    + " of "
                                    + qualified
                                    + " is "
                                    + meta.getColumnTypeName(i)
                                    + ": verify supports integer, text and uuid key columns");
                }
            }
            StringJoiner order = new StringJoiner(", ");
            key.forEach(column -> order.add(keyOrder.get(column)));
            orderBy.put(qualified, order.toString());
        }
        return postgres()
                ? new TableShape(qualified, database, namespace, table, columns, key)
                : new TableShape(qualified, namespace, null, table, columns, key);
    }

    /**
     * A key column as {@code ORDER BY} sorts it in the byte order of {@link SortKeys}: text in
     * binary collation ({@code COLLATE "C"}, {@code BINARY}); numbers and uuids as they are.
     */
    private String orderExpression(String column, ColumnKind kind, String typeName) {
        String quoted = dialect.quote(column);
        if (kind == ColumnKind.NUMBER || typeName.equalsIgnoreCase("uuid")) {
            return quoted;
        }
        return postgres() ? quoted + " COLLATE \"C\"" : "BINARY " + quoted;
    }

    private static ColumnKind kindOf(int sqlType, String typeName) {
        if (typeName.equalsIgnoreCase("json") || typeName.equalsIgnoreCase("jsonb")) {
            return ColumnKind.JSON;
        }
        switch (sqlType) {
            case Types.TINYINT:
            case Types.SMALLINT:
            case Types.INTEGER:
            case Types.BIGINT:
            case Types.NUMERIC:
            case Types.DECIMAL:
            case Types.REAL:
            case Types.FLOAT:
            case Types.DOUBLE:
                return ColumnKind.NUMBER;
            case Types.BIT:
            case Types.BOOLEAN:
                return ColumnKind.BOOLEAN;
            case Types.TIMESTAMP:
            case Types.TIMESTAMP_WITH_TIMEZONE:
                return ColumnKind.TIMESTAMP;
            default:
                return ColumnKind.TEXT;
        }
    }

    private static boolean usableKey(ResultSetMetaData meta, int i) throws SQLException {
        switch (meta.getColumnType(i)) {
            case Types.TINYINT:
            case Types.SMALLINT:
            case Types.INTEGER:
            case Types.CHAR:
            case Types.VARCHAR:
            case Types.LONGVARCHAR:
            case Types.NCHAR:
            case Types.NVARCHAR:
                return true;
            case Types.BIGINT:
                return !meta.getColumnTypeName(i).toUpperCase().contains("UNSIGNED");
            case Types.OTHER:
                return meta.getColumnTypeName(i).equalsIgnoreCase("uuid");
            default:
                return false;
        }
    }

    @Override
    public List<Row> range(TableShape table, List<Object> after, List<Object> upTo, int limit)
            throws SQLException {
        String order = orderBy.get(table.qualified());
        String tuple = "(" + order + ")";
        String marks = "(" + "?, ".repeat(table.key().size() - 1) + "?)";
        List<String> where = new ArrayList<>();
        if (after != null) {
            where.add(tuple + " > " + marks);
        }
        if (upTo != null) {
            where.add(tuple + " <= " + marks);
        }
        StringBuilder sql = new StringBuilder("SELECT * FROM ").append(qualified(table));
        if (!where.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", where));
        }
        sql.append(" ORDER BY ").append(order);
        if (limit > 0) {
            sql.append(" LIMIT ").append(limit);
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
            int i = 1;
            for (List<Object> bound : java.util.Arrays.asList(after, upTo)) {
                if (bound != null) {
                    for (Object part : bound) {
                        ps.setObject(i++, part);
                    }
                }
            }
            return rows(table, ps);
        }
    }

    @Override
    public List<Row> rowsAt(TableShape table, List<List<Object>> keys) throws SQLException {
        StringJoiner where = new StringJoiner(" AND ");
        for (String column : table.key()) {
            where.add(dialect.quote(column) + " = ?");
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps =
                connection.prepareStatement(
                        "SELECT * FROM " + qualified(table) + " WHERE " + where)) {
            for (List<Object> key : keys) {
                for (int i = 0; i < key.size(); i++) {
                    ps.setObject(i + 1, key.get(i));
                }
                rows.addAll(rows(table, ps));
            }
        }
        return rows;
    }

    private List<Row> rows(TableShape table, PreparedStatement ps) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> values = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    values.put(
                            meta.getColumnLabel(i),
                            ColumnValues.toJsonValue(dialect.value(rs, i, meta)));
                }
                List<Object> key = new ArrayList<>(table.key().size());
                for (String column : table.key()) {
                    key.add(values.get(column));
                }
                rows.add(new Row(key, SortKeys.of(key), values));
            }
        }
        return rows;
    }

    private String qualified(TableShape table) {
        return dialect.quote(postgres() ? table.schema() : table.database())
                + "."
                + dialect.quote(table.name());
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
