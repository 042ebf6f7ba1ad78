package dev.changeflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * pgbench-like writers on one table: concurrent connections committing small transactions of
 * inserts (new rows) and updates (of random existing rows). Every change sets the row's {@code seq}
 * column to a number unique in the run, so a consumer can tell which change a Kafka record is.
 */
final class Workload {

    static final String SCHEMA = "public";
    static final String TABLE = "bench_orders";
    static final String QUALIFIED = SCHEMA + "." + TABLE;

    private static final String INSERT =
            "INSERT INTO "
                    + QUALIFIED
                    + " (id, customer_id, status, amount, note, seq, updated_at)"
                    + " VALUES (?, ?, 'new', ?, ?, ?, clock_timestamp())";
    private static final String UPDATE =
            "UPDATE "
                    + QUALIFIED
                    + " SET status = ?, amount = amount + 1, seq = ?, updated_at = clock_timestamp()"
                    + " WHERE id = ?";
    private static final String[] STATUSES = {"paid", "packed", "shipped", "delivered"};

    /** A way to open a connection (the workload opens one per writer). */
    interface Connector {
        Connection connect() throws SQLException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connector db;
    private final int preloaded;
    private final AtomicLong nextId;
    private final AtomicLong nextSeq = new AtomicLong(1);

    private Workload(Connector db, int preloaded) {
        this.db = db;
        this.preloaded = preloaded;
        this.nextId = new AtomicLong(preloaded + 1L);
    }

    /**
     * (Re)creates the table with {@code REPLICA IDENTITY FULL} (the ingest job requires it: updates
     * and deletes carry the old row), an index on {@code (updated_at, id)} (what the query-based
     * method polls by) and {@code preload} rows for updates to hit.
     */
    static Workload create(Connector db, int preload) throws SQLException {
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + QUALIFIED);
            s.execute(
                    "CREATE TABLE "
                            + QUALIFIED
                            + " (id bigint PRIMARY KEY, customer_id int NOT NULL, status text NOT"
                            + " NULL, amount numeric(12,2) NOT NULL, note text, seq bigint NOT"
                            + " NULL, updated_at timestamptz NOT NULL)");
            s.execute("ALTER TABLE " + QUALIFIED + " REPLICA IDENTITY FULL");
            // the query-based method polls by (updated_at, id); the other methods only pay for
            // maintaining the index, the same in all of them
            s.execute(
                    "CREATE INDEX "
                            + TABLE
                            + "_updated_at_id ON "
                            + QUALIFIED
                            + " (updated_at, id)");
            s.execute(
                    "INSERT INTO "
                            + QUALIFIED
                            + " SELECT g, g % 1000, 'new', g * 1.25, 'preloaded row ' || g, 0,"
                            + " clock_timestamp() FROM generate_series(1, "
                            + preload
                            + ") g");
            s.execute("VACUUM ANALYZE " + QUALIFIED);
        }
        return new Workload(db, preload);
    }

    /** The first {@code seq} the next run will use. */
    long nextSeq() {
        return nextSeq.get();
    }

    /**
     * One change outside any run, to see that a pipeline is streaming: an insert whose {@code seq}
     * is {@code -probe}.
     */
    void probe(int probe) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement insert = c.prepareStatement(INSERT)) {
            bindInsert(insert, nextId.getAndIncrement(), -probe);
            insert.executeUpdate();
        }
    }

    /** The {@code seq} of a change event's row after the change, -1 for none (e.g. a tombstone). */
    static long seqOf(byte[] value) {
        if (value == null) {
            return -1;
        }
        try {
            return JSON.readTree(value).path("after").path("seq").asLong(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Inserts probe rows (seq -1, -2, ...) until one reached the topic (read_committed): the job
     * streams. Probes written before the job's start position are lost; the ones before the last
     * are in Kafka or lost by then, so none is left in flight to be counted later.
     *
     * @param probeWait how long each probe is given to arrive before the next one is written
     */
    void awaitStreaming(String bootstrapServers, String topic, Duration probeWait)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        AtomicLong seen = new AtomicLong();
        TopicWatcher.Handler handler =
                (record, at) -> seen.accumulateAndGet(-seqOf(record.value()), Math::max);
        try (TopicWatcher watcher =
                new TopicWatcher(bootstrapServers, topic, "read_committed", handler)) {
            for (int probe = 1; System.nanoTime() < deadline; probe++) {
                probe(probe);
                long until = System.nanoTime() + probeWait.toNanos();
                while (System.nanoTime() < until) {
                    if (seen.get() >= probe) {
                        return;
                    }
                    Thread.sleep(10);
                }
            }
        }
        throw new IllegalStateException("the job streamed nothing to " + topic + " in 3 minutes");
    }

    /** What a run did. */
    record Run(long changes, long transactions, long elapsedNanos, long firstSeq, long lastSeq) {
        double changesPerSecond() {
            return changes * 1e9 / elapsedNanos;
        }
    }

    /**
     * Writes {@code changes} changes as fast as {@code writers} connections can, in transactions of
     * {@code txnSize} changes.
     */
    Run burst(long changes, int writers, int txnSize, double updateRatio) throws Exception {
        AtomicLong remaining = new AtomicLong(changes);
        long firstSeq = nextSeq.get();
        long t0 = System.nanoTime();
        AtomicLong txns = new AtomicLong();
        runWriters(
                writers,
                w -> {
                    while (true) {
                        long left = remaining.getAndAdd(-txnSize);
                        if (left <= 0) {
                            return;
                        }
                        w.transaction((int) Math.min(txnSize, left), updateRatio, null);
                        txns.incrementAndGet();
                    }
                });
        long elapsed = System.nanoTime() - t0;
        return new Run(changes, txns.get(), elapsed, firstSeq, nextSeq.get() - 1);
    }

    /**
     * Writes {@code rate} changes per second for {@code durationNanos}, in transactions of {@code
     * txnSize}, spread over {@code writers} connections on a fixed schedule (a late writer catches
     * up, it does not skip). Each change's commit time ({@link System#nanoTime()} right after the
     * commit returned) goes into {@code commits}, which must have been {@link CommitTimes#start
     * started} at or before this run's first seq.
     */
    Run paced(
            double rate,
            long durationNanos,
            int writers,
            int txnSize,
            double updateRatio,
            CommitTimes commits)
            throws Exception {
        long firstSeq = nextSeq.get();
        long totalTxns = (long) (rate * durationNanos / 1e9 / txnSize);
        double txnIntervalNanos = 1e9 * txnSize / rate;
        AtomicLong nextTxn = new AtomicLong();
        long t0 = System.nanoTime() + 20_000_000L;
        runWriters(
                writers,
                w -> {
                    while (true) {
                        long i = nextTxn.getAndIncrement();
                        if (i >= totalTxns) {
                            return;
                        }
                        long due = t0 + (long) (i * txnIntervalNanos);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        w.transaction(txnSize, updateRatio, commits);
                    }
                });
        long elapsed = System.nanoTime() - t0;
        return new Run(totalTxns * txnSize, totalTxns, elapsed, firstSeq, nextSeq.get() - 1);
    }

    /** Commit times by seq, written by the writers and read by the Kafka consumer. */
    static final class CommitTimes {
        private final long[] nanos;
        private volatile long firstSeq;

        CommitTimes(int capacity) {
            nanos = new long[capacity];
        }

        void start(long firstSeq) {
            Arrays.fill(nanos, 0);
            this.firstSeq = firstSeq;
        }

        void committed(long seq, long atNanos) {
            int i = (int) (seq - firstSeq);
            if (i >= 0 && i < nanos.length) {
                nanos[i] = atNanos;
            }
        }

        /** The commit time of {@code seq}, 0 if unknown. */
        long of(long seq) {
            int i = (int) (seq - firstSeq);
            return i >= 0 && i < nanos.length ? nanos[i] : 0;
        }

        long firstSeq() {
            return firstSeq;
        }
    }

    private interface WriterLoop {
        void run(Writer writer) throws Exception;
    }

    private void runWriters(int writers, WriterLoop loop) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                futures.add(
                        pool.submit(
                                () -> {
                                    try (Writer writer = new Writer(db.connect())) {
                                        loop.run(writer);
                                    }
                                    return null;
                                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void bindInsert(PreparedStatement insert, long id, long seq)
            throws SQLException {
        insert.setLong(1, id);
        insert.setInt(2, (int) (id % 1000));
        insert.setBigDecimal(3, BigDecimal.valueOf(id % 100_000, 2));
        insert.setString(4, "order " + id + " placed by the benchmark");
        insert.setLong(5, seq);
    }

    /** One connection committing transactions. */
    private final class Writer implements AutoCloseable {
        private final Connection connection;
        private final PreparedStatement insert;
        private final PreparedStatement update;
        private final long[] seqs = new long[1024];

        Writer(Connection connection) throws SQLException {
            this.connection = connection;
            connection.setAutoCommit(false);
            insert = connection.prepareStatement(INSERT);
            update = connection.prepareStatement(UPDATE);
        }

        void transaction(int size, double updateRatio, CommitTimes commits) throws SQLException {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int updates = 0;
            for (int i = 0; i < size; i++) {
                if (random.nextDouble() < updateRatio) {
                    updates++;
                }
            }
            // updates in id order: concurrent transactions then cannot deadlock
            long[] ids = new long[updates];
            for (int i = 0; i < updates; i++) {
                ids[i] = 1 + random.nextInt(preloaded);
            }
            Arrays.sort(ids);
            int n = 0;
            for (long id : ids) {
                long seq = nextSeq.getAndIncrement();
                seqs[n++] = seq;
                update.setString(1, STATUSES[(int) (seq % STATUSES.length)]);
                update.setLong(2, seq);
                update.setLong(3, id);
                update.addBatch();
            }
            for (int i = updates; i < size; i++) {
                long seq = nextSeq.getAndIncrement();
                seqs[n++] = seq;
                bindInsert(insert, nextId.getAndIncrement(), seq);
                insert.addBatch();
            }
            if (updates > 0) {
                update.executeBatch();
            }
            if (updates < size) {
                insert.executeBatch();
            }
            connection.commit();
            if (commits != null) {
                long now = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    commits.committed(seqs[i], now);
                }
            }
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }
}
