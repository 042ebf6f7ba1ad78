package dev.changeflow.cdc.trigger;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.trigger.TriggerSourceConfig.TableId;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * MariaDB / MySQL 8: per table three {@code AFTER ... FOR EACH ROW} triggers writing {@code
 * JSON_OBJECT(...)} of an explicit, generated column list (binary as hex, datetimes as {@code
 * yyyy-MM-dd HH:mm:ss.ffffff}, {@code TIMESTAMP} as epoch seconds so the writer's time zone does
 * not matter, decimals and floats as text) into the audit table.
 *
 * <p><b>Horizon.</b> There is no transaction snapshot to read, so a poll samples first the audit
 * table's next {@code AUTO_INCREMENT} value A, then the set R of open InnoDB transactions ({@code
 * SHOW ENGINE INNODB STATUS}, needs PROCESS). Every id below A was allocated by a transaction that
 * had ended or is in R; once every transaction of R has ended, every id below A is final (committed
 * or rolled back forever). Samples are kept and the horizon advances to the A of the newest sample
 * whose R has ended. Rows {@code lastId < id < horizon} are read in id order.
 *
 * <p><b>Position.</b> {@code lastId} (every id up to it is handled), optionally {@code ;} and the
 * ids above it that the snapshot already contains (skipped when streaming).
 */
final class MySqlTriggerDialect extends TriggerDialect {

    /** Audit rows deleted per statement by {@link #purge}. */
    private static final int PURGE_CHUNK = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(MySqlTriggerDialect.class);

    private static final DateTimeFormatter DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private static final int TABLE_ACCESS_DENIED = 1142;
    private static final int DB_ACCESS_DENIED = 1044;
    private static final int SPECIFIC_ACCESS_DENIED = 1227;
    private static final int BINLOG_NEEDS_SUPER = 1419;
    private static final int UNKNOWN_SYSTEM_VARIABLE = 1193;

    /** A horizon sample: A, then R (the InnoDB transactions open right after A was read). */
    private record Sample(long nextId, Set<String> open) {}

    private static final Pattern TRANSACTION =
            Pattern.compile("^---TRANSACTION (\\w+), (.*)$", Pattern.MULTILINE);

    private final Deque<Sample> samples = new ArrayDeque<>();
    private final String audit;

    MySqlTriggerDialect(TriggerSourceConfig config) {
        super(config);
        this.audit = qualified(config.auditTable());
    }

    @Override
    protected java.sql.Driver driver() {
        try {
            return new com.mysql.cj.jdbc.Driver();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static String ident(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    static String qualified(TableId table) {
        return ident(table.schema()) + "." + ident(table.table());
    }

    /** The message of a failed statement, with the GRANT that fixes a missing privilege. */
    static String explain(SQLException e, TriggerSourceConfig config) {
        String user = "'" + config.username() + "'@'%'";
        String db = ident(config.database());
        switch (e.getErrorCode()) {
            case TABLE_ACCESS_DENIED:
                String privilege =
                        e.getMessage().toUpperCase(Locale.ROOT).contains("TRIGGER")
                                ? "TRIGGER"
                                : "CREATE, SELECT, INSERT, DELETE, DROP";
                return e.getMessage()
                        + ": the user needs "
                        + privilege
                        + "; fix: GRANT "
                        + privilege
                        + " ON "
                        + db
                        + ".* TO "
                        + user
                        + ";";
            case DB_ACCESS_DENIED:
                return e.getMessage()
                        + ": the installer needs CREATE and TRIGGER; fix: GRANT CREATE, TRIGGER,"
                        + " SELECT, INSERT, DELETE ON "
                        + db
                        + ".* TO "
                        + user
                        + ";";
            case SPECIFIC_ACCESS_DENIED:
                return e.getMessage()
                        + ": reading open transactions (SHOW ENGINE INNODB STATUS) needs"
                        + " PROCESS; fix: GRANT PROCESS ON *.* TO "
                        + user
                        + ";";
            case BINLOG_NEEDS_SUPER:
                return e.getMessage()
                        + ": with binary logging on, creating triggers needs SUPER or"
                        + " log_bin_trust_function_creators; fix: SET GLOBAL"
                        + " log_bin_trust_function_creators = 1; (or GRANT SUPER ON *.* TO "
                        + user
                        + ";)";
            default:
                return e.getMessage();
        }
    }

    // ---- installer

    private boolean mariaDb(Connection c) throws SQLException {
        return c.getMetaData()
                .getDatabaseProductVersion()
                .toLowerCase(Locale.ROOT)
                .contains("mariadb");
    }

    @Override
    public void install(Connection c, List<TableId> tables) throws SQLException {
        Map<TableId, Map<String, String>> types = columnTypes(c, tables);
        for (TableId table : tables) {
            if (types.get(table).isEmpty()) {
                throw new CdcSetupException(
                        "table " + table + " does not exist in " + config.where());
            }
        }
        boolean orReplace = mariaDb(c);
        try (Statement st = c.createStatement()) {
            st.execute(
                    "CREATE TABLE IF NOT EXISTS "
                            + audit
                            + " (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                            + " op CHAR(1) NOT NULL,"
                            + " schema_name VARCHAR(64) NOT NULL,"
                            + " table_name VARCHAR(64) NOT NULL,"
                            + " old_row LONGTEXT,"
                            + " new_row LONGTEXT,"
                            + " ts TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
                            + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
            for (TableId table : tables) {
                Map<String, String> columns = types.get(table);
                for (char op : new char[] {'c', 'u', 'd'}) {
                    String name = triggerName(table, op);
                    if (!orReplace) {
                        // MySQL has no CREATE OR REPLACE TRIGGER: a change between the two
                        // statements is not captured
                        st.execute(
                                "DROP TRIGGER IF EXISTS "
                                        + ident(table.schema())
                                        + "."
                                        + ident(name));
                    }
                    st.execute(
                            (orReplace ? "CREATE OR REPLACE TRIGGER " : "CREATE TRIGGER ")
                                    + ident(table.schema())
                                    + "."
                                    + ident(name)
                                    + " AFTER "
                                    + (op == 'c' ? "INSERT" : op == 'u' ? "UPDATE" : "DELETE")
                                    + " ON "
                                    + qualified(table)
                                    + " FOR EACH ROW INSERT INTO "
                                    + audit
                                    + " (op, schema_name, table_name, old_row, new_row) VALUES ('"
                                    + op
                                    + "', "
                                    + quoteLiteral(table.schema())
                                    + ", "
                                    + quoteLiteral(table.table())
                                    + ", "
                                    + (op == 'c' ? "NULL" : jsonObject(columns, "OLD."))
                                    + ", "
                                    + (op == 'd' ? "NULL" : jsonObject(columns, "NEW."))
                                    + ")");
                }
            }
        }
    }

    private String triggerName(TableId table, char op) {
        String suffix = op == 'c' ? "_ai" : op == 'u' ? "_au" : "_ad";
        String name = config.auditTable().table() + "_" + table.table();
        return (name.length() > 61 ? name.substring(0, 61) : name) + suffix;
    }

    /** {@code JSON_OBJECT('a', <expr of prefix.a>, ...)} in column order. */
    static String jsonObject(Map<String, String> columns, String prefix) {
        return columns.entrySet().stream()
                .map(
                        e ->
                                quoteLiteral(e.getKey())
                                        + ", "
                                        + expression(e.getValue(), prefix + ident(e.getKey())))
                .collect(Collectors.joining(", ", "JSON_OBJECT(", ")"));
    }

    /** How the trigger writes a column of the given COLUMN_TYPE. */
    static String expression(String columnType, String column) {
        switch (kind(columnType)) {
            case BOOLEAN:
                return "CAST(" + column + " AS UNSIGNED)";
            case INTEGER:
                return column;
            case BYTES:
                return "HEX(" + column + ")";
            case DATETIME:
                return "DATE_FORMAT(" + column + ", '%Y-%m-%d %H:%i:%s.%f')";
            case TIMESTAMP:
                return "CAST(UNIX_TIMESTAMP(" + column + ") AS CHAR)";
            case TEXT:
                // MariaDB's JSON is a LONGTEXT that JSON_OBJECT would embed as JSON, not text
                return columnType.toLowerCase(Locale.ROOT).startsWith("longtext")
                        ? "CAST(" + column + " AS CHAR CHARACTER SET utf8mb4)"
                        : column;
            case JSON:
                return "CAST(" + column + " AS CHAR CHARACTER SET utf8mb4)";
            default: // DECIMAL, FLOAT, DOUBLE, DATE, TIME, JSON, UUID, other
                return "CAST(" + column + " AS CHAR)";
        }
    }

    private enum Kind {
        BOOLEAN,
        INTEGER,
        DECIMAL,
        FLOAT,
        DOUBLE,
        BYTES,
        DATETIME,
        TIMESTAMP,
        DATE,
        TIME,
        JSON,
        TEXT
    }

    private static Kind kind(String columnType) {
        String t = columnType.toLowerCase(Locale.ROOT).trim();
        if (t.startsWith("tinyint(1)") || t.equals("bit(1)") || t.startsWith("bool")) {
            return Kind.BOOLEAN;
        }
        if (t.startsWith("tinyint")
                || t.startsWith("smallint")
                || t.startsWith("mediumint")
                || t.startsWith("int")
                || t.startsWith("bigint")
                || t.startsWith("year")) {
            return Kind.INTEGER;
        }
        if (t.startsWith("decimal") || t.startsWith("numeric")) {
            return Kind.DECIMAL;
        }
        if (t.startsWith("float")) {
            return Kind.FLOAT;
        }
        if (t.startsWith("double") || t.startsWith("real")) {
            return Kind.DOUBLE;
        }
        if (t.startsWith("binary")
                || t.startsWith("varbinary")
                || t.contains("blob")
                || t.startsWith("bit")) {
            return Kind.BYTES;
        }
        if (t.startsWith("datetime")) {
            return Kind.DATETIME;
        }
        if (t.startsWith("timestamp")) {
            return Kind.TIMESTAMP;
        }
        if (t.equals("date")) {
            return Kind.DATE;
        }
        if (t.startsWith("time")) {
            return Kind.TIME;
        }
        if (t.equals("json")) {
            return Kind.JSON;
        }
        return Kind.TEXT;
    }

    @Override
    public void uninstall(Connection c, List<TableId> tables, boolean dropAuditTable)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            for (TableId table : tables) {
                for (char op : new char[] {'c', 'u', 'd'}) {
                    st.execute(
                            "DROP TRIGGER IF EXISTS "
                                    + ident(table.schema())
                                    + "."
                                    + ident(triggerName(table, op)));
                }
            }
        }
        boolean left;
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?"
                                + " AND ACTION_STATEMENT LIKE ?")) {
            ps.setString(1, config.database());
            ps.setString(2, "%INSERT INTO " + audit.replace("_", "\\_") + " %");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                left = rs.getLong(1) > 0;
            }
        }
        if (dropAuditTable || !left) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + audit);
            }
        }
    }

    @Override
    public boolean auditTableExists(Connection c) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
                                + " AND TABLE_NAME = ?")) {
            ps.setString(1, config.auditTable().schema());
            ps.setString(2, config.auditTable().table());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    @Override
    public List<TableStatus> status(Connection c, List<TableId> tables) throws SQLException {
        boolean auditExists = auditTableExists(c);
        List<TableStatus> statuses = new ArrayList<>();
        for (TableId table : tables) {
            long triggers;
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "SELECT COUNT(*) FROM information_schema.TRIGGERS"
                                    + " WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ?"
                                    + " AND TRIGGER_NAME IN (?, ?, ?)")) {
                ps.setString(1, table.schema());
                ps.setString(2, table.table());
                ps.setString(3, triggerName(table, 'c'));
                ps.setString(4, triggerName(table, 'u'));
                ps.setString(5, triggerName(table, 'd'));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    triggers = rs.getLong(1);
                }
            }
            long pending = 0;
            if (auditExists) {
                try (PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT COUNT(*) FROM " + audit + " WHERE table_name = ?")) {
                    ps.setString(1, table.table());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        pending = rs.getLong(1);
                    }
                }
            }
            statuses.add(new TableStatus(table, triggers == 3, pending));
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
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "SELECT COLUMN_NAME, COLUMN_TYPE, DATA_TYPE FROM"
                                    + " information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND"
                                    + " TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
                ps.setString(1, table.schema());
                ps.setString(2, table.table());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String type = rs.getString(2);
                        columns.put(
                                rs.getString(1),
                                "json".equalsIgnoreCase(rs.getString(3)) ? "json" : type);
                    }
                }
            }
            types.put(table, columns);
        }
        return types;
    }

    @Override
    public String start(Connection c, boolean snapshot, Consumer<AuditRow> rows)
            throws SQLException {
        // every id below A0 is final once the transactions open when A0 was read have ended:
        // then the consistent snapshot taken below contains every committed one of them
        long nextId = nextAutoIncrement(c);
        Sample first = new Sample(nextId, openTransactions(c));
        awaitEnded(c, first);
        long lastId = first.nextId - 1;
        if (!snapshot) {
            return Long.toString(lastId);
        }
        Map<TableId, Map<String, String>> types = columnTypes(c, config.tables());
        TreeSet<Long> skip = new TreeSet<>();
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (Statement st = c.createStatement()) {
            st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            try {
                for (TableId table : config.tables()) {
                    try (ResultSet rs =
                            st.executeQuery(
                                    "SELECT "
                                            + jsonObject(types.get(table), "")
                                            + ", FLOOR(UNIX_TIMESTAMP(NOW(3)) * 1000) FROM "
                                            + qualified(table))) {
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
                // changes already in the snapshot: skipped when streaming
                try (PreparedStatement ps =
                        c.prepareStatement("SELECT id FROM " + audit + " WHERE id > ?")) {
                    ps.setLong(1, lastId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            skip.add(rs.getLong(1));
                        }
                    }
                }
            } finally {
                st.execute("COMMIT");
            }
        } finally {
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        }
        return position(lastId, skip);
    }

    private void awaitEnded(Connection c, Sample sample) throws SQLException {
        long logged = System.nanoTime();
        while (!ended(sample, openTransactions(c))) {
            if (System.nanoTime() - logged > 10_000_000_000L) {
                LOG.info("start position waits for open transactions {} to end", sample.open());
                logged = System.nanoTime();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for open transactions", e);
            }
        }
    }

    private static boolean ended(Sample sample, Set<String> open) {
        return sample.open() != null
                && open != null
                && sample.open().stream().noneMatch(open::contains);
    }

    private long nextAutoIncrement(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            try {
                st.execute("SET SESSION information_schema_stats_expiry = 0"); // MySQL 8
            } catch (SQLException e) {
                if (e.getErrorCode() != UNKNOWN_SYSTEM_VARIABLE) {
                    throw e;
                }
            }
        }
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT AUTO_INCREMENT FROM information_schema.TABLES"
                                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, config.auditTable().schema());
            ps.setString(2, config.auditTable().table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("audit table " + config.auditTable() + " not found");
                }
                long next = rs.getLong(1);
                return rs.wasNull() ? 1 : next;
            }
        }
    }

    /**
     * The open InnoDB transactions, from {@code SHOW ENGINE INNODB STATUS} (needs PROCESS), or null
     * if the list was truncated. Not {@code information_schema.innodb_trx}: InnoDB serves it from a
     * cache that is refreshed only when it was not read for 100 ms, so frequent readers (this
     * source polling, a monitoring tool) can keep it stale indefinitely; seen in the ITs: an open
     * transaction missing from it for seconds.
     */
    static Set<String> openTransactions(Connection c) throws SQLException {
        String status;
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW ENGINE INNODB STATUS")) {
            rs.next();
            status = rs.getString("Status");
        }
        return parseOpenTransactions(status);
    }

    /** The ids of the {@code ---TRANSACTION} entries that are started; null if truncated. */
    static Set<String> parseOpenTransactions(String status) {
        int section = status.indexOf("\nTRANSACTIONS\n");
        if (section < 0 || status.contains("truncated...")) {
            return null;
        }
        Set<String> open = new HashSet<>();
        Matcher m = TRANSACTION.matcher(status.substring(section));
        while (m.find()) {
            if (!m.group(2).startsWith("not started")) {
                open.add(m.group(1));
            }
        }
        return open;
    }

    /**
     * Takes a sample (A, then R) and returns the A of the newest sample whose transactions have all
     * ended by now (-1 if none).
     */
    private long horizon(Connection c) throws SQLException {
        long nextId = nextAutoIncrement(c);
        Set<String> open = openTransactions(c);
        samples.addLast(new Sample(nextId, open));
        Sample safe = null;
        for (Sample s : samples) {
            if (ended(s, open)) {
                safe = s;
            }
        }
        if (safe == null) {
            while (samples.size() > 10_000) {
                samples.removeFirst(); // bounded memory; the horizon only waits longer
            }
            return -1;
        }
        while (samples.peekFirst() != safe) {
            samples.removeFirst();
        }
        return safe.nextId();
    }

    private static String position(long lastId, Set<Long> skip) {
        if (skip.isEmpty()) {
            return Long.toString(lastId);
        }
        return lastId + ";" + skip.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    @Override
    public Poll poll(Connection c, String position, int limit, Consumer<AuditRow> rows)
            throws SQLException {
        String[] parts = position.split(";");
        long lastId = Long.parseLong(parts[0]);
        TreeSet<Long> skip = new TreeSet<>();
        if (parts.length > 1) {
            for (String id : parts[1].split(",")) {
                skip.add(Long.parseLong(id));
            }
        }
        long horizon = horizon(c);
        if (horizon - 1 <= lastId) {
            return new Poll(position, 0, false);
        }
        String tables =
                config.tables().stream()
                        .map(t -> quoteLiteral(t.table()))
                        .collect(Collectors.joining(", ", "(", ")"));
        int count = 0;
        long last = lastId;
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT id, op, table_name, old_row, new_row,"
                                + " FLOOR(UNIX_TIMESTAMP(ts) * 1000) FROM "
                                + audit
                                + " WHERE id > ? AND id < ? AND schema_name = ? AND table_name IN "
                                + tables
                                + " ORDER BY id LIMIT ?")) {
            ps.setLong(1, lastId);
            ps.setLong(2, horizon);
            ps.setString(3, config.database());
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    last = rs.getLong(1);
                    count++;
                    if (skip.contains(last)) {
                        continue;
                    }
                    rows.accept(
                            new AuditRow(
                                    last,
                                    null,
                                    rs.getString(2).charAt(0),
                                    new TableId(config.database(), rs.getString(3)),
                                    rs.getString(4),
                                    rs.getString(5),
                                    rs.getLong(6)));
                }
            }
        }
        boolean more = count == limit;
        long done = more ? last : horizon - 1;
        return new Poll(position(done, skip.tailSet(done, false)), count, more);
    }

    /**
     * Deletes the consumed audit rows by primary key. A range {@code DELETE ... WHERE id <= ?}
     * would lock-wait on the first row past the range when an open transaction holds it (its audit
     * row is not yet consumed), blocking the source's task thread for as long as that transaction
     * stays open; the ids are therefore read first (a consistent, non-locking read of committed
     * rows) and deleted as points, which no other transaction holds.
     */
    @Override
    public int purge(Connection c, String position, Duration retention) throws SQLException {
        long lastId = Long.parseLong(position.split(";")[0]);
        String tables =
                config.tables().stream()
                        .map(t -> quoteLiteral(t.table()))
                        .collect(Collectors.joining(", ", "(", ")"));
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT id FROM "
                                + audit
                                + " WHERE id <= ? AND schema_name = ? AND table_name IN "
                                + tables
                                + " AND ts < NOW(6) - INTERVAL ? MICROSECOND ORDER BY id")) {
            ps.setLong(1, lastId);
            ps.setString(2, config.database());
            ps.setLong(3, retention.toNanos() / 1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        int purged = 0;
        try (Statement st = c.createStatement()) {
            for (int from = 0; from < ids.size(); from += PURGE_CHUNK) {
                List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + PURGE_CHUNK));
                purged +=
                        st.executeUpdate(
                                "DELETE FROM "
                                        + audit
                                        + " WHERE id IN ("
                                        + chunk.stream()
                                                .map(String::valueOf)
                                                .collect(Collectors.joining(","))
                                        + ")");
            }
        }
        return purged;
    }

    // ---- values

    @Override
    public Object decode(String type, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        String text = value.asText();
        switch (kind(type)) {
            case BOOLEAN:
                return new BigDecimal(text).signum() != 0;
            case INTEGER:
                return new BigDecimal(text).toBigIntegerExact();
            case DECIMAL:
                return new BigDecimal(text);
            case FLOAT:
                return Float.parseFloat(text);
            case DOUBLE:
                return Double.parseDouble(text);
            case BYTES:
                return hex(text);
            case DATETIME:
                return LocalDateTime.parse(text, DATETIME);
            case TIMESTAMP:
                BigDecimal seconds = new BigDecimal(text);
                return Instant.ofEpochSecond(
                        seconds.longValue(),
                        seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
            case DATE:
                return LocalDate.parse(text);
            case TIME:
                return LocalTime.parse(text);
            case JSON:
                return new dev.changeflow.schemas.JsonText(text);
            default:
                return text;
        }
    }

    private static byte[] hex(String text) {
        byte[] bytes = new byte[text.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(text.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }
}
