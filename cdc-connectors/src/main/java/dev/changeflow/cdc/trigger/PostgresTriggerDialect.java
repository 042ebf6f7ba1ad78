package dev.changeflow.cdc.trigger;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.trigger.TriggerSourceConfig.TableId;

import com.fasterxml.jackson.databind.JsonNode;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * PostgreSQL (13+): one generic trigger function writing {@code to_jsonb(OLD/NEW)} into the audit
 * table, whose {@code txid} column ({@code xid8}, {@code pg_current_xact_id()}) gives the horizon.
 *
 * <p><b>Position.</b> A {@code pg_snapshot} {@code D}: every transaction visible in {@code D} has
 * been emitted. A poll takes the current snapshot {@code C} ({@code pg_current_snapshot()}) and
 * reads, in id order, the rows whose transaction is visible in {@code C} but not in {@code D}: they
 * are exactly the transactions that committed in between, all finished. While such a range is read
 * in bounded batches, the position is {@code D|C|lastId}; once it is read, {@code C}.
 */
final class PostgresTriggerDialect extends TriggerDialect {

    /**
     * The position of this reader's last purge without retention: nothing below its xmin is left.
     */
    private String lastPurged;

    private static final Set<String> UNSUPPORTED =
            Set.of(
                    "interval",
                    "money",
                    "inet",
                    "cidr",
                    "macaddr",
                    "macaddr8",
                    "point",
                    "line",
                    "lseg",
                    "box",
                    "path",
                    "polygon",
                    "circle",
                    "int4range",
                    "int8range",
                    "numrange",
                    "tsrange",
                    "tstzrange",
                    "daterange",
                    "tsvector",
                    "tsquery",
                    "xml");

    /** PostgreSQL writes offsets as {@code +02}, {@code +05:30} or {@code +00:53:28}. */
    private static final DateTimeFormatter TIME_TZ =
            new DateTimeFormatterBuilder()
                    .append(DateTimeFormatter.ISO_LOCAL_TIME)
                    .appendOffset("+HH:mm:ss", "Z")
                    .toFormatter();

    private static final DateTimeFormatter TIMESTAMP_TZ =
            new DateTimeFormatterBuilder()
                    .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                    .appendOffset("+HH:mm:ss", "Z")
                    .toFormatter();

    private final String audit;
    private final String function;
    private final String trigger;

    PostgresTriggerDialect(TriggerSourceConfig config) {
        super(config);
        this.audit = qualified(config.auditTable());
        this.function = ident(config.auditTable().schema()) + "." + ident(triggerName());
        this.trigger = ident(triggerName());
    }

    private String triggerName() {
        return config.auditTable().table() + "_capture";
    }

    @Override
    protected java.sql.Driver driver() {
        return new org.postgresql.Driver();
    }

    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String qualified(TableId table) {
        return ident(table.schema()) + "." + ident(table.table());
    }

    // ---- installer

    @Override
    public void install(Connection c, List<TableId> tables) throws SQLException {
        checkPrivileges(c, tables);
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + ident(config.auditTable().schema()));
            st.execute(
                    "CREATE TABLE IF NOT EXISTS "
                            + audit
                            + " (id bigserial PRIMARY KEY,"
                            + " txid xid8 NOT NULL DEFAULT pg_current_xact_id(),"
                            + " op char(1) NOT NULL,"
                            + " schema_name text NOT NULL,"
                            + " table_name text NOT NULL,"
                            + " old_row jsonb,"
                            + " new_row jsonb,"
                            + " ts timestamptz NOT NULL DEFAULT clock_timestamp())");
            st.execute(
                    "CREATE INDEX IF NOT EXISTS "
                            + ident(config.auditTable().table() + "_txid_id")
                            + " ON "
                            + audit
                            + " (txid, id)");
            // a queue table: vacuum after a fixed number of purged rows, not a share of the table
            st.execute(
                    "ALTER TABLE "
                            + audit
                            + " SET (autovacuum_vacuum_scale_factor = 0,"
                            + " autovacuum_vacuum_threshold = 5000)");
            // SECURITY DEFINER: writers of the captured tables need no privilege on the audit table
            st.execute(
                    "CREATE OR REPLACE FUNCTION "
                            + function
                            + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                            + " SET search_path = pg_catalog, pg_temp AS $changeflow$\n"
                            + "BEGIN\n"
                            + "  IF TG_OP = 'INSERT' THEN\n"
                            + "    INSERT INTO "
                            + audit
                            + " (op, schema_name, table_name, new_row)"
                            + " VALUES ('c', TG_TABLE_SCHEMA, TG_TABLE_NAME, to_jsonb(NEW));\n"
                            + "  ELSIF TG_OP = 'UPDATE' THEN\n"
                            + "    INSERT INTO "
                            + audit
                            + " (op, schema_name, table_name, old_row, new_row)"
                            + " VALUES ('u', TG_TABLE_SCHEMA, TG_TABLE_NAME, to_jsonb(OLD),"
                            + " to_jsonb(NEW));\n"
                            + "  ELSE\n"
                            + "    INSERT INTO "
                            + audit
                            + " (op, schema_name, table_name, old_row)"
                            + " VALUES ('d', TG_TABLE_SCHEMA, TG_TABLE_NAME, to_jsonb(OLD));\n"
                            + "  END IF;\n"
                            + "  RETURN NULL;\n"
                            + "END\n"
                            + "$changeflow$");
            for (TableId table : tables) {
                // one transaction: the table is never without its trigger
                st.execute("DROP TRIGGER IF EXISTS " + trigger + " ON " + qualified(table));
                st.execute(
                        "CREATE TRIGGER "
                                + trigger
                                + " AFTER INSERT OR UPDATE OR DELETE ON "
                                + qualified(table)
                                + " FOR EACH ROW EXECUTE FUNCTION "
                                + function
                                + "()");
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private void checkPrivileges(Connection c, List<TableId> tables) throws SQLException {
        List<String> missing = new ArrayList<>();
        String user = config.username();
        for (TableId table : tables) {
            if (!bool(c, "SELECT to_regclass(?) IS NOT NULL", qualified(table))) {
                throw new CdcSetupException(
                        "table " + table + " does not exist in " + config.where());
            }
            if (!bool(c, "SELECT has_table_privilege(?, 'TRIGGER')", qualified(table))) {
                missing.add(
                        "TRIGGER on "
                                + table
                                + " (GRANT TRIGGER ON "
                                + qualified(table)
                                + " TO "
                                + ident(user)
                                + ";)");
            }
        }
        String schema = config.auditTable().schema();
        if (!bool(c, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ?)", schema)) {
            if (!bool(c, "SELECT has_database_privilege(current_database(), 'CREATE')")) {
                missing.add(
                        "CREATE on database "
                                + config.database()
                                + " to create schema "
                                + schema
                                + " (GRANT CREATE ON DATABASE "
                                + ident(config.database())
                                + " TO "
                                + ident(user)
                                + "; or create the schema for the user: CREATE SCHEMA "
                                + ident(schema)
                                + " AUTHORIZATION "
                                + ident(user)
                                + ";)");
            }
        } else if (!bool(c, "SELECT has_schema_privilege(?, 'CREATE')", schema)) {
            missing.add(
                    "CREATE on schema "
                            + schema
                            + " (GRANT CREATE ON SCHEMA "
                            + ident(schema)
                            + " TO "
                            + ident(user)
                            + ";)");
        }
        if (!missing.isEmpty()) {
            throw new CdcSetupException(
                    "user '"
                            + user
                            + "' cannot install the capture triggers in "
                            + config.where()
                            + ", missing privileges: "
                            + String.join("; ", missing));
        }
    }

    @Override
    public void uninstall(Connection c, List<TableId> tables, boolean dropAuditTable)
            throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            for (TableId table : tables) {
                if (bool(c, "SELECT to_regclass(?) IS NOT NULL", qualified(table))) {
                    st.execute("DROP TRIGGER IF EXISTS " + trigger + " ON " + qualified(table));
                }
            }
            boolean functionExists =
                    bool(c, "SELECT to_regprocedure(?) IS NOT NULL", function + "()");
            boolean left =
                    functionExists
                            && bool(
                                    c,
                                    "SELECT EXISTS (SELECT 1 FROM pg_trigger"
                                            + " WHERE tgfoid = to_regprocedure(?))",
                                    function + "()");
            if (dropAuditTable || !left) {
                if (functionExists) {
                    st.execute("DROP FUNCTION " + function + "() CASCADE");
                }
                st.execute("DROP TABLE IF EXISTS " + audit);
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    @Override
    public boolean auditTableExists(Connection c) throws SQLException {
        return bool(c, "SELECT to_regclass(?) IS NOT NULL", audit);
    }

    @Override
    public List<TableStatus> status(Connection c, List<TableId> tables) throws SQLException {
        boolean auditExists = auditTableExists(c);
        List<TableStatus> statuses = new ArrayList<>();
        for (TableId table : tables) {
            boolean installed =
                    bool(
                            c,
                            "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(?)"
                                    + " AND tgname = ? AND tgfoid = to_regprocedure(?)"
                                    + " AND tgenabled <> 'D')",
                            qualified(table),
                            triggerName(),
                            function + "()");
            long pending = 0;
            if (auditExists) {
                try (PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM "
                                        + audit
                                        + " WHERE schema_name = ? AND table_name = ?")) {
                    ps.setString(1, table.schema());
                    ps.setString(2, table.table());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        pending = rs.getLong(1);
                    }
                }
            }
            statuses.add(new TableStatus(table, installed, pending));
        }
        return statuses;
    }

    // ---- source

    @Override
    public Map<TableId, Map<String, String>> columnTypes(Connection c, List<TableId> tables)
            throws SQLException {
        Map<TableId, Map<String, String>> types = new LinkedHashMap<>();
        for (TableId table : tables) {
            Map<String, String> columns = new LinkedHashMap<>();
            try (ResultSet rs =
                    c.getMetaData().getColumns(null, table.schema(), table.table(), "%")) {
                while (rs.next()) {
                    columns.put(rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME"));
                }
            }
            types.put(table, columns);
        }
        return types;
    }

    @Override
    public String start(Connection c, boolean snapshot, Consumer<AuditRow> rows)
            throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        String position;
        try (Statement st = c.createStatement()) {
            // the first statement fixes the transaction's snapshot: the tables read below show
            // exactly the transactions visible in it
            try (ResultSet rs = st.executeQuery("SELECT pg_current_snapshot()::text")) {
                rs.next();
                position = rs.getString(1);
            }
            if (snapshot) {
                st.setFetchSize(1000);
                for (TableId table : config.tables()) {
                    try (ResultSet rs =
                            st.executeQuery(
                                    "SELECT to_jsonb(t)::text,"
                                            + " (extract(epoch from clock_timestamp()) * 1000)::bigint"
                                            + " FROM "
                                            + qualified(table)
                                            + " t")) {
                        while (rs.next()) {
                            rows.accept(
                                    new AuditRow(
                                            0,
                                            null,
                                            'r',
                                            table,
                                            null,
                                            rs.getString(1),
                                            rs.getLong(2)));
                        }
                    }
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        c.setAutoCommit(autoCommit);
        return position;
    }

    /** A parsed position: {@code done}, or {@code done|range|lastId} while a range is read. */
    record Position(String done, String range, long lastId) {
        static Position parse(String text) {
            String[] parts = text.split("\\|");
            if (parts.length == 1) {
                return new Position(parts[0], null, 0);
            }
            return new Position(parts[0], parts[1], Long.parseLong(parts[2]));
        }

        @Override
        public String toString() {
            return range == null ? done : done + "|" + range + "|" + lastId;
        }
    }

    @Override
    public Poll poll(Connection c, String positionText, int limit, Consumer<AuditRow> rows)
            throws SQLException {
        Position position = Position.parse(positionText);
        String range = position.range();
        long lastId = position.lastId();
        if (range == null) {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT pg_current_snapshot()::text")) {
                rs.next();
                range = rs.getString(1);
            }
            lastId = 0;
        }
        StringBuilder sql =
                new StringBuilder(
                                "SELECT id, txid::text, op, schema_name, table_name, old_row::text,"
                                        + " new_row::text, (extract(epoch from ts) * 1000)::bigint FROM ")
                        .append(audit)
                        .append(
                                " WHERE txid >= pg_snapshot_xmin(?::pg_snapshot)"
                                        + " AND txid < pg_snapshot_xmax(?::pg_snapshot)"
                                        + " AND NOT pg_visible_in_snapshot(txid, ?::pg_snapshot)"
                                        + " AND pg_visible_in_snapshot(txid, ?::pg_snapshot)"
                                        + " AND id > ? AND ")
                        .append(tableFilter())
                        .append(" ORDER BY id LIMIT ?");
        int count = 0;
        long last = lastId;
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            ps.setString(1, position.done());
            ps.setString(2, range);
            ps.setString(3, position.done());
            ps.setString(4, range);
            ps.setLong(5, lastId);
            ps.setInt(6, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    last = rs.getLong(1);
                    count++;
                    rows.accept(
                            new AuditRow(
                                    last,
                                    Long.parseLong(rs.getString(2)),
                                    rs.getString(3).charAt(0),
                                    new TableId(rs.getString(4), rs.getString(5)),
                                    rs.getString(6),
                                    rs.getString(7),
                                    rs.getLong(8)));
                }
            }
        }
        if (count < limit) {
            return new Poll(new Position(range, null, 0).toString(), count, false);
        }
        return new Poll(new Position(position.done(), range, last).toString(), count, true);
    }

    private String tableFilter() {
        StringBuilder filter = new StringBuilder("(schema_name, table_name) IN (");
        Iterator<TableId> it = config.tables().iterator();
        while (it.hasNext()) {
            TableId t = it.next();
            filter.append('(')
                    .append(quoteLiteral(t.schema()))
                    .append(", ")
                    .append(quoteLiteral(t.table()))
                    .append(')');
            if (it.hasNext()) {
                filter.append(", ");
            }
        }
        return filter.append(')').toString();
    }

    @Override
    public int purge(Connection c, String positionText, Duration retention) throws SQLException {
        Position position = Position.parse(positionText);
        // Without a lower bound every purge walks the index over all rows deleted earlier and not
        // yet vacuumed; with no retention, the previous purge deleted every row below its xmin.
        boolean bounded = retention.isZero() && lastPurged != null;
        try (PreparedStatement ps =
                c.prepareStatement(
                        "DELETE FROM "
                                + audit
                                + " WHERE txid < pg_snapshot_xmax(?::pg_snapshot)"
                                + (bounded ? " AND txid >= pg_snapshot_xmin(?::pg_snapshot)" : "")
                                + " AND pg_visible_in_snapshot(txid, ?::pg_snapshot)"
                                + " AND ts < clock_timestamp() - make_interval(secs => ?)"
                                + " AND "
                                + tableFilter())) {
            int i = 1;
            ps.setString(i++, position.done());
            if (bounded) {
                ps.setString(i++, lastPurged);
            }
            ps.setString(i++, position.done());
            ps.setDouble(i, retention.toMillis() / 1000.0);
            int purged = ps.executeUpdate();
            if (retention.isZero()) {
                lastPurged = position.done();
            }
            return purged;
        }
    }

    // ---- values

    @Override
    public Object decode(String type, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (type.startsWith("_")) {
            if (!value.isArray()) {
                throw new IllegalArgumentException("expected an array, got " + value);
            }
            List<Object> list = new ArrayList<>();
            for (JsonNode element : value) {
                list.add(
                        element.isArray()
                                ? decode(type, element)
                                : decode(type.substring(1), element));
            }
            return list;
        }
        if (UNSUPPORTED.contains(type)) {
            throw new IllegalArgumentException(
                    "unsupported PostgreSQL type " + type + " (see TYPES.md), value " + value);
        }
        switch (type) {
            case "bool":
                return value.asBoolean();
            case "int2":
            case "int4":
            case "int8":
            case "oid":
                return value.bigIntegerValue();
            case "numeric":
                if (value.isTextual()) {
                    return Double.parseDouble(value.asText()); // NaN, Infinity
                }
                return value.decimalValue();
            case "float4":
                return Float.parseFloat(value.asText());
            case "float8":
                return Double.parseDouble(value.asText());
            case "timestamp":
                return LocalDateTime.parse(value.asText());
            case "timestamptz":
                return OffsetDateTime.parse(value.asText(), TIMESTAMP_TZ);
            case "date":
                return LocalDate.parse(value.asText());
            case "time":
                return LocalTime.parse(value.asText());
            case "timetz":
                return OffsetTime.parse(value.asText(), TIME_TZ);
            case "bytea":
                return hex(value.asText());
            case "json":
            case "jsonb":
                return new dev.changeflow.schemas.JsonText(JsonbText.render(value));
            case "hstore":
                Map<String, Object> map = new LinkedHashMap<>();
                value.fields()
                        .forEachRemaining(
                                e ->
                                        map.put(
                                                e.getKey(),
                                                e.getValue().isNull()
                                                        ? null
                                                        : e.getValue().asText()));
                return map;
            default:
                if (value.isTextual()) {
                    return value.asText(); // text, varchar, bpchar, uuid, citext, enums, name
                }
                if (value.isBoolean()) {
                    return value.asBoolean();
                }
                if (value.isNumber()) {
                    return value.decimalValue();
                }
                throw new IllegalArgumentException(
                        "unsupported PostgreSQL type " + type + ", value " + value);
        }
    }

    /** {@code \x0001ff} (bytea_output hex) to bytes. */
    private static byte[] hex(String text) {
        if (!text.startsWith("\\x")) {
            throw new IllegalArgumentException("bytea value is not hex (\\x...): " + text);
        }
        int n = (text.length() - 2) / 2;
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) Integer.parseInt(text.substring(2 + 2 * i, 4 + 2 * i), 16);
        }
        return bytes;
    }

    private static boolean bool(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
