package dev.changeflow.cdc.trigger;

import dev.changeflow.cdc.jdbc.PrimaryKeys;
import dev.changeflow.cdc.log.debezium.DeadLetteringDeserializer;
import dev.changeflow.cdc.trigger.TriggerSourceOptions.DialectKind;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.Positions;

import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.types.Either;
import org.apache.flink.util.FlinkRuntimeException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the audit table on the task thread: each {@link #pollNext} runs at most one bounded query
 * (or the snapshot) and emits every row it returned before it returns, so a checkpoint always falls
 * between two polls and the split's position covers exactly what was emitted. Between polls that
 * found less than a batch it waits {@code trigger.poll.interval} (an availability future completed
 * by a timer, never a sleep). Positions of checkpoints are kept until the checkpoint completes,
 * then the audit rows they cover are purged.
 */
final class TriggerSourceReader<T> implements SourceReader<T, AuditSplit> {

    private static final Logger LOG = LoggerFactory.getLogger(TriggerSourceReader.class);

    private final TriggerSourceConfig config;
    private final boolean deadLetters;
    private final NavigableMap<Long, String> checkpointPositions = new TreeMap<>();

    private TriggerDialect dialect;
    private Connection connection;
    private TriggerRows rows;
    private ScheduledExecutorService timer;
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private boolean hasSplit;
    private String position;
    private boolean snapshotPending;
    private long nextPollNanos;

    TriggerSourceReader(TriggerSourceConfig config, boolean deadLetters) {
        this.config = config;
        this.deadLetters = deadLetters;
    }

    @Override
    public void start() {
        dialect = TriggerDialect.of(config);
        timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "trigger-source-poll-timer");
                            t.setDaemon(true);
                            return t;
                        });
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
        if (!hasSplit) {
            return InputStatus.NOTHING_AVAILABLE;
        }
        long wait = nextPollNanos - System.nanoTime();
        if (wait > 0) {
            waitFor(wait);
            return InputStatus.NOTHING_AVAILABLE;
        }
        try {
            Connection c = connection();
            if (position == null) {
                position = dialect.start(c, snapshotPending, row -> emit(output, row));
                LOG.info(
                        "trigger source started at {} (snapshot read: {})",
                        position,
                        snapshotPending);
                snapshotPending = false;
                return InputStatus.MORE_AVAILABLE;
            }
            TriggerDialect.Poll poll =
                    dialect.poll(c, position, config.batchSize(), row -> emit(output, row));
            position = poll.position();
            if (poll.more()) {
                return InputStatus.MORE_AVAILABLE;
            }
        } catch (SQLException e) {
            closeConnection();
            throw new FlinkRuntimeException(
                    "reading the audit table " + config.auditTable() + " failed: " + e.getMessage(),
                    e);
        }
        long interval = config.pollInterval().toNanos();
        nextPollNanos = System.nanoTime() + interval;
        waitFor(interval);
        return InputStatus.NOTHING_AVAILABLE;
    }

    private void waitFor(long nanos) {
        if (available.isDone()) {
            available = new CompletableFuture<>();
        }
        CompletableFuture<Void> future = available;
        timer.schedule(() -> future.complete(null), Math.max(nanos, 1), TimeUnit.NANOSECONDS);
    }

    @SuppressWarnings("unchecked")
    private void emit(ReaderOutput<T> output, AuditRow row) {
        List<ChangeEvent> events;
        try {
            events = rows.toEvents(row);
        } catch (IllegalArgumentException e) {
            if (!deadLetters) {
                throw new FlinkRuntimeException(
                        "cannot convert a change of "
                                + row.table()
                                + " captured by triggers: "
                                + e.getMessage(),
                        e);
            }
            DeadLetter letter =
                    new DeadLetter(
                            e.getMessage(),
                            DeadLetteringDeserializer.JOB,
                            DeadLetter.originOf(
                                    Connector.TRIGGER,
                                    config.database(),
                                    config.dialect() == DialectKind.POSTGRES
                                            ? row.table().schema()
                                            : null,
                                    row.table().table()),
                            Positions.ofSequence(row.id()),
                            row.toJson().getBytes(StandardCharsets.UTF_8),
                            System.currentTimeMillis());
            LOG.warn(
                    "dead letter from {} at {}: {}",
                    letter.origin(),
                    letter.position(),
                    e.getMessage());
            output.collect((T) Either.Left(letter));
            return;
        }
        for (ChangeEvent event : events) {
            output.collect(deadLetters ? (T) Either.Right(event) : (T) event);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = dialect.connect();
            connection.setAutoCommit(true);
            Map<TriggerSourceConfig.TableId, Map<String, String>> types =
                    dialect.columnTypes(connection, config.tables());
            Map<TriggerSourceConfig.TableId, List<String>> keys = new HashMap<>();
            Map<String, List<String>> byName =
                    PrimaryKeys.read(
                            connection,
                            config.dialect() == DialectKind.POSTGRES
                                    ? PrimaryKeys.Namespace.SCHEMA
                                    : PrimaryKeys.Namespace.CATALOG,
                            config.tables().stream()
                                    .map(t -> Pattern.quote(t.toString()))
                                    .collect(Collectors.toList()));
            for (TriggerSourceConfig.TableId table : config.tables()) {
                keys.put(table, byName.getOrDefault(table.toString(), List.of()));
            }
            rows =
                    new TriggerRows(
                            dialect,
                            config.database(),
                            config.dialect() == DialectKind.POSTGRES,
                            types,
                            keys,
                            () -> {
                                try {
                                    return dialect.columnTypes(connection, config.tables());
                                } catch (SQLException e) {
                                    throw new FlinkRuntimeException(
                                            "cannot read the captured tables' columns: "
                                                    + e.getMessage(),
                                            e);
                                }
                            });
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // going away
            }
            connection = null;
        }
    }

    @Override
    public List<AuditSplit> snapshotState(long checkpointId) {
        if (!hasSplit) {
            return List.of();
        }
        if (position != null) {
            checkpointPositions.put(checkpointId, position);
        }
        return List.of(new AuditSplit(position, snapshotPending));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Map.Entry<Long, String> covered = checkpointPositions.floorEntry(checkpointId);
        if (covered == null) {
            return;
        }
        checkpointPositions.headMap(checkpointId, true).clear();
        if (!config.purgeEnabled()) {
            return;
        }
        try {
            int purged = dialect.purge(connection(), covered.getValue(), config.purgeRetention());
            LOG.info("checkpoint {} complete: purged {} audit rows", checkpointId, purged);
        } catch (SQLException | RuntimeException e) {
            // the rows stay and are purged after a later checkpoint
            LOG.warn("purging the audit table after checkpoint {} failed", checkpointId, e);
            closeConnection();
        }
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return available;
    }

    @Override
    public void addSplits(List<AuditSplit> splits) {
        for (AuditSplit split : splits) {
            hasSplit = true;
            position = split.position();
            snapshotPending = split.snapshotPending();
        }
        available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {}

    @Override
    public void close() {
        closeConnection();
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
