package dev.changeflow.cdc.query.reader;

import dev.changeflow.cdc.query.config.QueryDialect;
import dev.changeflow.cdc.query.config.QuerySourceConfig;
import dev.changeflow.cdc.query.config.QueryStartupMode;
import dev.changeflow.cdc.query.config.TableMode;
import dev.changeflow.cdc.query.config.TablePlan;
import dev.changeflow.cdc.query.dialect.Dialect;
import dev.changeflow.cdc.query.split.TableSplit;
import dev.changeflow.cdc.query.split.TableSplit.Phase;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.ColumnValues;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.SourceInfo;

import org.apache.flink.api.connector.source.ReaderOutput;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Polls one table: takes the start position, pages through the snapshot by primary key, then reads
 * the rows past the stream position and below the commit-safe horizon, one bounded query per poll;
 * optionally scans the keys for hard deletes. Holds the table's mutable position; {@link #split()}
 * snapshots it for a checkpoint. Runs in the reader's task thread only.
 */
final class TablePoller {

    private static final Logger LOG = LoggerFactory.getLogger(TablePoller.class);

    private static final long WAIT_LOG_INTERVAL_NANOS = 10_000_000_000L;

    /** Position of snapshot rows whose timestamp column is null: sorts before every change. */
    private static final LocalDateTime NO_TIMESTAMP = LocalDateTime.of(0, 1, 1, 0, 0);

    private final TablePlan plan;
    private final QuerySourceConfig config;
    private final Dialect dialect;
    private final boolean trackKeys;

    private Phase phase;
    @Nullable private List<String> snapshotKey;
    @Nullable private String streamTimestamp;
    private long streamId;
    @Nullable private String lastPosition;
    private final Set<String> knownKeys;

    @Nullable private Dialect.Sample startSample;

    /** When the wait for open transactions was last logged ({@link System#nanoTime()}). */
    private long lastWaitLog = System.nanoTime() - WAIT_LOG_INTERVAL_NANOS;

    @Nullable private Dialect.Sample pendingSample;
    private long safeLimit = Long.MIN_VALUE;
    private long nextPollNanos;
    private long nextScanNanos;

    TablePoller(TablePlan plan, QuerySourceConfig config, Dialect dialect, TableSplit split) {
        this.plan = plan;
        this.config = config;
        this.dialect = dialect;
        this.trackKeys = !config.deleteScanInterval().isZero();
        this.phase = split.phase();
        this.snapshotKey = split.snapshotKey();
        this.streamTimestamp = split.streamTimestamp();
        this.streamId = split.streamId();
        this.lastPosition = split.lastPosition();
        this.knownKeys = new LinkedHashSet<>(split.knownKeys());
        this.nextScanNanos = System.nanoTime() + config.deleteScanInterval().toNanos();
    }

    /** The table's position now, for a checkpoint. */
    TableSplit split() {
        return new TableSplit(
                plan.id(), phase, snapshotKey, streamTimestamp, streamId, lastPosition, knownKeys);
    }

    /** When this table is due for its next poll ({@link System#nanoTime()}). */
    long nextPollNanos() {
        return nextPollNanos;
    }

    /**
     * Runs one step (one bounded query, or the key scan).
     *
     * @return whether there is more to read right away
     */
    <T> boolean poll(Connection c, EventEmitter<T> emitter, ReaderOutput<T> out)
            throws SQLException {
        boolean more;
        switch (phase) {
            case START:
                more = start(c);
                break;
            case SNAPSHOT:
                more = snapshotPage(c, emitter, out);
                break;
            default:
                more =
                        plan.mode() == TableMode.TIMESTAMP
                                ? streamTimestamps(c, emitter, out)
                                : streamIncrements(c, emitter, out);
                if (!more && trackKeys && System.nanoTime() - nextScanNanos >= 0) {
                    scanDeletes(c, emitter, out);
                    nextScanNanos = System.nanoTime() + config.deleteScanInterval().toNanos();
                }
        }
        if (!more) {
            nextPollNanos = System.nanoTime() + config.pollInterval().toNanos();
        }
        return more;
    }

    /**
     * Takes the position streaming starts from: the horizon (timestamp mode), or a sample of the
     * allocated values that is already safe (incrementing mode: for {@code initial}, the snapshot
     * waits until every transaction open at the sample has ended, so no row at or below it is
     * missed by both the snapshot and the stream).
     */
    private boolean start(Connection c) throws SQLException {
        Phase next =
                config.startupMode() == QueryStartupMode.INITIAL ? Phase.SNAPSHOT : Phase.STREAM;
        if (plan.mode() == TableMode.TIMESTAMP) {
            String horizon = dialect.timestampHorizon(c, config.horizonMargin());
            if (horizon == null) {
                return false;
            }
            streamTimestamp = horizon;
            streamId = -1;
            LOG.info("{}: streaming will start at horizon {}", plan.id(), streamTimestamp);
            phase = next;
            return true;
        }
        if (startSample == null) {
            startSample = dialect.sample(c, plan);
        }
        if (next == Phase.STREAM || dialect.isSafe(c, startSample)) {
            streamId = startSample.allocated();
            startSample = null;
            LOG.info("{}: streaming will start after {} = {}", plan.id(), plan.column(), streamId);
            phase = next;
            return true;
        }
        if (System.nanoTime() - lastWaitLog > WAIT_LOG_INTERVAL_NANOS) {
            lastWaitLog = System.nanoTime();
            LOG.warn(
                    "{}: waiting for the transactions open at {} to end before the snapshot;"
                            + " a session left idle in transaction holds capture back until it"
                            + " ends (PostgreSQL: pg_stat_activity.xact_start, MariaDB:"
                            + " information_schema.innodb_trx.trx_started)",
                    plan.id(),
                    startSample.at());
        }
        return false;
    }

    private <T> boolean snapshotPage(Connection c, EventEmitter<T> emitter, ReaderOutput<T> out)
            throws SQLException {
        String keys = columns(plan.primaryKey());
        String sql =
                "SELECT * FROM "
                        + dialect.qualified(plan)
                        + (snapshotKey == null
                                ? ""
                                : " WHERE (" + keys + ") > (" + params(snapshotKey.size()) + ")")
                        + " ORDER BY "
                        + keys
                        + " LIMIT "
                        + config.batchSize();
        int rows = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (snapshotKey != null) {
                for (int i = 0; i < snapshotKey.size(); i++) {
                    ps.setString(i + 1, snapshotKey.get(i));
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                Columns columns = new Columns(rs.getMetaData());
                while (rs.next()) {
                    rows++;
                    Map<String, Object> row = row(rs, columns);
                    if (!softDeleted(row)) {
                        String position = position(rs, columns, row);
                        SourceInfo source = source(true, position, tsMs(rs, columns));
                        emitter.emit(
                                source,
                                row,
                                s -> ChangeEvent.read(s, System.currentTimeMillis(), row),
                                out);
                        remember(row);
                        advance(position);
                    }
                    List<String> key = new ArrayList<>();
                    for (String column : plan.primaryKey()) {
                        key.add(rs.getString(columns.index(column)));
                    }
                    snapshotKey = key;
                }
            }
        }
        if (rows < config.batchSize()) {
            LOG.info("{}: snapshot done, streaming", plan.id());
            phase = Phase.STREAM;
        }
        return true;
    }

    private <T> boolean streamTimestamps(Connection c, EventEmitter<T> emitter, ReaderOutput<T> out)
            throws SQLException {
        String horizon = dialect.timestampHorizon(c, config.horizonMargin());
        if (horizon == null) {
            return false;
        }
        String ts = dialect.quote(plan.column());
        String tie = dialect.quote(plan.tieBreaker());
        String sql =
                "SELECT * FROM "
                        + dialect.qualified(plan)
                        + " WHERE "
                        + ts
                        + " >= ? AND ("
                        + ts
                        + ", "
                        + tie
                        + ") > (?, ?) AND "
                        + ts
                        + " < ? ORDER BY "
                        + ts
                        + ", "
                        + tie
                        + " LIMIT "
                        + config.batchSize();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, streamTimestamp);
            ps.setString(2, streamTimestamp);
            ps.setLong(3, streamId);
            ps.setString(4, horizon);
            return emitChanges(ps, emitter, out);
        }
    }

    private <T> boolean streamIncrements(Connection c, EventEmitter<T> emitter, ReaderOutput<T> out)
            throws SQLException {
        if (pendingSample == null) {
            pendingSample = dialect.sample(c, plan);
        }
        if (dialect.isSafe(c, pendingSample)) {
            safeLimit = Math.max(safeLimit, pendingSample.allocated());
            pendingSample = dialect.sample(c, plan);
        }
        if (safeLimit <= streamId) {
            return false;
        }
        String column = dialect.quote(plan.column());
        String sql =
                "SELECT * FROM "
                        + dialect.qualified(plan)
                        + " WHERE "
                        + column
                        + " > ? AND "
                        + column
                        + " <= ? ORDER BY "
                        + column
                        + " LIMIT "
                        + config.batchSize();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, streamId);
            ps.setLong(2, safeLimit);
            return emitChanges(ps, emitter, out);
        }
    }

    private <T> boolean emitChanges(
            PreparedStatement ps, EventEmitter<T> emitter, ReaderOutput<T> out)
            throws SQLException {
        int rows = 0;
        try (ResultSet rs = ps.executeQuery()) {
            Columns columns = new Columns(rs.getMetaData());
            while (rs.next()) {
                rows++;
                Map<String, Object> row = row(rs, columns);
                String position = position(rs, columns, row);
                SourceInfo source = source(false, position, tsMs(rs, columns));
                long now = System.currentTimeMillis();
                if (softDeleted(row)) {
                    emitter.emit(source, row, s -> ChangeEvent.delete(s, now, row), out);
                    forget(row);
                } else if (created(rs, columns, row)) {
                    emitter.emit(source, row, s -> ChangeEvent.create(s, now, row), out);
                    remember(row);
                } else {
                    emitter.emit(
                            source, row, s -> ChangeEvent.updateWithoutBefore(s, now, row), out);
                    remember(row);
                }
                if (plan.mode() == TableMode.TIMESTAMP) {
                    streamTimestamp = rs.getString(columns.index(plan.column()));
                    streamId = rs.getLong(columns.index(plan.tieBreaker()));
                } else {
                    streamId = rs.getLong(columns.index(plan.column()));
                }
                advance(position);
            }
        }
        return rows == config.batchSize();
    }

    /**
     * Reads every key of the table (keyset pages) and emits a delete, with the key columns as
     * {@code before}, for each key emitted earlier that is gone. Only committed deletes are
     * invisible to the scan, and every known key was emitted (so committed) before the scan
     * started: a row of a transaction that is still open is never taken for deleted.
     */
    private <T> void scanDeletes(Connection c, EventEmitter<T> emitter, ReaderOutput<T> out)
            throws SQLException {
        Set<String> gone = new HashSet<>(knownKeys);
        String keys = columns(plan.primaryKey());
        List<String> last = null;
        int rows;
        do {
            rows = 0;
            String sql =
                    "SELECT "
                            + keys
                            + " FROM "
                            + dialect.qualified(plan)
                            + (last == null
                                    ? ""
                                    : " WHERE (" + keys + ") > (" + params(last.size()) + ")")
                            + " ORDER BY "
                            + keys
                            + " LIMIT "
                            + config.batchSize();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (last != null) {
                    for (int i = 0; i < last.size(); i++) {
                        ps.setString(i + 1, last.get(i));
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    Columns columns = new Columns(rs.getMetaData());
                    while (rs.next()) {
                        rows++;
                        gone.remove(
                                ChangeEventJson.keyToJson(
                                        ColumnValues.toJsonRow(row(rs, columns))));
                        last = new ArrayList<>();
                        for (int i = 1; i <= plan.primaryKey().size(); i++) {
                            last.add(rs.getString(i));
                        }
                    }
                }
            }
        } while (rows == config.batchSize());
        if (gone.isEmpty()) {
            return;
        }
        String position = lastPosition != null ? lastPosition : initialPosition();
        long now = System.currentTimeMillis();
        for (String key : knownKeys.toArray(new String[0])) {
            if (!gone.contains(key)) {
                continue;
            }
            Map<String, Object> before =
                    ChangeEventJson.keyFromBytes(key.getBytes(StandardCharsets.UTF_8));
            SourceInfo source = source(false, position, now);
            emitter.emit(source, before, s -> ChangeEvent.delete(s, now, before), out);
            knownKeys.remove(key);
        }
        LOG.info("{}: key scan found {} deleted rows", plan.id(), gone.size());
    }

    /**
     * Keeps the highest position emitted, snapshot reads included: a delete found by the key scan
     * takes it, so it never sorts before the row's earlier events (a snapshot read of a row last
     * changed in 2001 sorts far below the stream; a position-guarded sink would drop a delete that
     * sorts before the row's read).
     */
    private void advance(String position) {
        if (lastPosition == null || Positions.compare(position, lastPosition) > 0) {
            lastPosition = position;
        }
    }

    private String initialPosition() {
        return plan.mode() == TableMode.TIMESTAMP
                ? Positions.ofTimestamp(NO_TIMESTAMP, 0)
                : Positions.ofSequence(0);
    }

    private boolean softDeleted(Map<String, Object> row) {
        if (plan.softDelete() == null) {
            return false;
        }
        Object marker = row.get(plan.softDelete());
        return plan.softDeleteBoolean() ? Boolean.TRUE.equals(marker) : marker != null;
    }

    /** Whether a polled row is new: always in incrementing mode, else by created/version. */
    private boolean created(ResultSet rs, Columns columns, Map<String, Object> row)
            throws SQLException {
        if (plan.mode() == TableMode.INCREMENTING) {
            return true;
        }
        if (plan.version() != null) {
            Object version = row.get(plan.version());
            return version instanceof Number && ((Number) version).longValue() == 1;
        }
        if (plan.created() != null) {
            Instant created = dialect.instant(rs, columns.index(plan.created()), columns.meta);
            Instant modified = dialect.instant(rs, columns.index(plan.column()), columns.meta);
            return created != null && created.equals(modified);
        }
        return false;
    }

    private void remember(Map<String, Object> row) {
        if (trackKeys) {
            knownKeys.add(keyJson(row));
        }
    }

    private void forget(Map<String, Object> row) {
        if (trackKeys) {
            knownKeys.remove(keyJson(row));
        }
    }

    private String keyJson(Map<String, Object> row) {
        Map<String, Object> key = new LinkedHashMap<>();
        for (String column : plan.primaryKey()) {
            key.put(column, row.get(column));
        }
        return ChangeEventJson.keyToJson(ColumnValues.toJsonRow(key));
    }

    private Map<String, Object> row(ResultSet rs, Columns columns) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= columns.meta.getColumnCount(); i++) {
            row.put(columns.meta.getColumnLabel(i), dialect.value(rs, i, columns.meta));
        }
        return row;
    }

    private String position(ResultSet rs, Columns columns, Map<String, Object> row)
            throws SQLException {
        if (plan.mode() == TableMode.TIMESTAMP) {
            Instant ts = dialect.instant(rs, columns.index(plan.column()), columns.meta);
            long tie = Math.max(0, rs.getLong(columns.index(plan.tieBreaker())));
            return ts == null
                    ? Positions.ofTimestamp(NO_TIMESTAMP, tie)
                    : Positions.ofTimestamp(ts, tie);
        }
        return Positions.ofSequence(Math.max(0, rs.getLong(columns.index(plan.column()))));
    }

    /** The row's timestamp column in timestamp mode (when it changed), else now. */
    private long tsMs(ResultSet rs, Columns columns) throws SQLException {
        if (plan.mode() == TableMode.TIMESTAMP) {
            Instant ts = dialect.instant(rs, columns.index(plan.column()), columns.meta);
            if (ts != null && ts.toEpochMilli() >= 0) {
                return ts.toEpochMilli();
            }
        }
        return System.currentTimeMillis();
    }

    private SourceInfo source(boolean snapshot, String position, long tsMs) {
        boolean postgres = config.dialect() == QueryDialect.POSTGRES;
        return SourceInfo.builder(
                        Connector.QUERY,
                        postgres ? config.database() : plan.namespace(),
                        postgres ? plan.namespace() : null,
                        plan.table())
                .tsMs(tsMs)
                .snapshot(snapshot)
                .position(position)
                .build();
    }

    private String columns(List<String> names) {
        StringJoiner joiner = new StringJoiner(", ");
        names.forEach(name -> joiner.add(dialect.quote(name)));
        return joiner.toString();
    }

    private static String params(int n) {
        StringJoiner joiner = new StringJoiner(", ");
        for (int i = 0; i < n; i++) {
            joiner.add("?");
        }
        return joiner.toString();
    }

    /** A result set's columns by name. */
    private static final class Columns {
        final ResultSetMetaData meta;
        private final Map<String, Integer> byName = new HashMap<>();

        Columns(ResultSetMetaData meta) throws SQLException {
            this.meta = meta;
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                byName.putIfAbsent(meta.getColumnLabel(i), i);
            }
        }

        int index(String column) {
            return Objects.requireNonNull(byName.get(column), column);
        }
    }
}
