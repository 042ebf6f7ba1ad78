package dev.changeflow.cdc.query.reader;

import dev.changeflow.cdc.query.config.QuerySourceConfig;
import dev.changeflow.cdc.query.config.TablePlan;
import dev.changeflow.cdc.query.dialect.Dialect;
import dev.changeflow.cdc.query.split.TableSplit;

import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.core.io.InputStatus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Polls the tables of its splits over one JDBC connection, in the task thread: every {@link
 * #pollNext} runs one bounded query per table that is due, so a checkpoint (taken between two
 * calls) always holds the position of the last row emitted. When no table has more to read it
 * sleeps until the next table is due.
 */
public final class QuerySourceReader<T> implements SourceReader<T, TableSplit> {

    private static final Logger LOG = LoggerFactory.getLogger(QuerySourceReader.class);

    private final SourceReaderContext context;
    private final QuerySourceConfig config;
    private final Map<String, TablePlan> plans;
    private final Dialect dialect;
    private final EventEmitter<T> emitter;
    private final Map<String, TablePoller> pollers = new LinkedHashMap<>();
    private final ScheduledExecutorService timer;
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private Connection connection;

    public QuerySourceReader(
            SourceReaderContext context,
            QuerySourceConfig config,
            Map<String, TablePlan> plans,
            EventEmitter<T> emitter) {
        this.context = context;
        this.config = config;
        this.plans = plans;
        this.dialect = Dialect.of(config.dialect());
        this.emitter = emitter;
        this.timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "query-cdc-timer");
                            t.setDaemon(true);
                            return t;
                        });
    }

    @Override
    public void start() {}

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
        if (pollers.isEmpty()) {
            return waitFor(-1);
        }
        boolean more = false;
        long now = System.nanoTime();
        try {
            Connection c = connection();
            for (TablePoller poller : pollers.values()) {
                if (poller.nextPollNanos() - now <= 0) {
                    more |= poller.poll(c, emitter, output);
                }
            }
        } catch (SQLException e) {
            closeConnection();
            throw e;
        }
        if (more) {
            return InputStatus.MORE_AVAILABLE;
        }
        long next = Long.MAX_VALUE;
        for (TablePoller poller : pollers.values()) {
            next = Math.min(next, poller.nextPollNanos() - System.nanoTime());
        }
        return waitFor(Math.max(0, next));
    }

    private InputStatus waitFor(long nanos) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        available = future;
        if (nanos >= 0) {
            timer.schedule(() -> future.complete(null), nanos, TimeUnit.NANOSECONDS);
        }
        return InputStatus.NOTHING_AVAILABLE;
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = dialect.connect(config);
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the connection failed", e);
            }
            connection = null;
        }
    }

    @Override
    public List<TableSplit> snapshotState(long checkpointId) {
        List<TableSplit> splits = new ArrayList<>();
        for (TablePoller poller : pollers.values()) {
            splits.add(poller.split());
        }
        return splits;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return available;
    }

    @Override
    public void addSplits(List<TableSplit> splits) {
        for (TableSplit split : splits) {
            TablePlan plan = plans.get(split.table());
            if (plan == null) {
                LOG.warn(
                        "table {} of the restored state is no longer polled; its position is"
                                + " dropped",
                        split.table());
                continue;
            }
            LOG.info("subtask {} polls {}", context.getIndexOfSubtask(), split);
            pollers.put(split.table(), new TablePoller(plan, config, dialect, split));
        }
        available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {}

    @Override
    public void close() {
        timer.shutdownNow();
        closeConnection();
    }
}
