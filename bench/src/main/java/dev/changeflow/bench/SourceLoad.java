package dev.changeflow.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The load a window of time put on the source database, from {@code pg_stat_database} (this
 * database's row: everything every backend did in it, the workload's writers, the capture job's
 * connections, autovacuum), {@code pg_stat_all_tables} (which tables were read), the WAL insert
 * position (cluster-wide) and the CPU time of the server's processes ({@code /proc}).
 *
 * <p>PostgreSQL 15 backends flush their statistics at most once a second (and when they exit), so a
 * window's edges are blurred by up to about a second of a long-lived connection's work: a few
 * percent of a 30 s window.
 */
final class SourceLoad {

    private SourceLoad() {}

    /**
     * Cumulative counters at one moment.
     *
     * @param serverCpuNanos CPU time of the whole PostgreSQL server so far (see {@link ServerCpu}),
     *     -1 if not readable
     * @param rowsReadByRelation per table ({@code schema.table}, catalogs included): {@code
     *     seq_tup_read + idx_tup_fetch} ({@code pg_stat_all_tables}) plus the {@code idx_tup_read}
     *     of its indexes ({@code pg_stat_all_indexes})
     */
    record Snapshot(
            long nanos,
            long xactCommit,
            long xactRollback,
            long tupReturned,
            long tupFetched,
            long tupInserted,
            long tupUpdated,
            long tupDeleted,
            long walLsn,
            long serverCpuNanos,
            Map<String, Long> rowsReadByRelation) {

        /**
         * Reads the counters of the connection's database (two short transactions of its own) and,
         * if {@code cpu} is not null, the server's CPU time.
         */
        static Snapshot take(Connection c, ServerCpu cpu) throws SQLException {
            Map<String, Long> reads = new HashMap<>();
            try (Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery(
                                    // one pass over each view: this query's own catalog
                                    // reads count in the window too (a few hundred rows)
                                    "SELECT t.schemaname || '.' || t.relname,"
                                            + " coalesce(t.seq_tup_read, 0)"
                                            + " + coalesce(t.idx_tup_fetch, 0)"
                                            + " + coalesce(i.tup_read, 0)"
                                            + " FROM pg_stat_all_tables t LEFT JOIN (SELECT relid,"
                                            + " sum(idx_tup_read) AS tup_read FROM"
                                            + " pg_stat_all_indexes GROUP BY relid) i USING"
                                            + " (relid)")) {
                while (rs.next()) {
                    reads.put(rs.getString(1), rs.getLong(2));
                }
            }
            try (Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery(
                                    "SELECT xact_commit, xact_rollback, tup_returned,"
                                            + " tup_fetched, tup_inserted, tup_updated,"
                                            + " tup_deleted, pg_current_wal_insert_lsn()::text"
                                            + " FROM pg_stat_database WHERE datname ="
                                            + " current_database()")) {
                if (!rs.next()) {
                    throw new IllegalStateException("no pg_stat_database row for this database");
                }
                return new Snapshot(
                        System.nanoTime(),
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getLong(7),
                        parseLsn(rs.getString(8)),
                        cpu == null ? -1 : cpu.nanos(),
                        reads);
            }
        }
    }

    /** A {@code pg_lsn} as PostgreSQL prints it ({@code 16/B374D848}) as a byte position. */
    static long parseLsn(String lsn) {
        int slash = lsn.indexOf('/');
        if (slash <= 0 || slash == lsn.length() - 1) {
            throw new IllegalArgumentException("not an LSN: '" + lsn + "'");
        }
        long high = Long.parseLong(lsn.substring(0, slash), 16);
        long low = Long.parseLong(lsn.substring(slash + 1), 16);
        return (high << 32) + low;
    }

    /**
     * CPU time of a local PostgreSQL server from {@code /proc}: the postmaster's own and that of
     * its children (backends, walsenders, autovacuum, checkpointer, WAL writer, ...), the live ones
     * read one by one and the exited ones from the postmaster's {@code cutime + cstime} (the
     * postmaster reaps them), so a connection closed inside a window still counts.
     */
    static final class ServerCpu {
        private final long postmasterPid;
        private final long nanosPerTick;

        private ServerCpu(long postmasterPid, long ticksPerSecond) {
            this.postmasterPid = postmasterPid;
            this.nanosPerTick = 1_000_000_000L / ticksPerSecond;
        }

        /**
         * The server {@code c} is connected to, if it runs on this machine and its {@code /proc}
         * entries are readable; else null.
         */
        static ServerCpu of(Connection c) {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                Path backend = Path.of("/proc", Long.toString(rs.getLong(1)), "stat");
                long postmaster = ProcStat.parse(Files.readString(backend)).ppid();
                ServerCpu cpu = new ServerCpu(postmaster, clockTicksPerSecond());
                cpu.nanos();
                return cpu;
            } catch (SQLException | IOException | RuntimeException e) {
                return null;
            }
        }

        /** CPU time of the server so far, all its processes, exited ones included. */
        long nanos() {
            long ticks = 0;
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"))) {
                for (Path proc : procs) {
                    String name = proc.getFileName().toString();
                    if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                        continue;
                    }
                    ProcStat stat;
                    try {
                        stat = ProcStat.parse(Files.readString(proc.resolve("stat")));
                    } catch (IOException | RuntimeException e) {
                        continue; // exited meanwhile
                    }
                    if (Long.parseLong(name) == postmasterPid) {
                        ticks += stat.utime() + stat.stime() + stat.cutime() + stat.cstime();
                    } else if (stat.ppid() == postmasterPid) {
                        ticks += stat.utime() + stat.stime();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return ticks * nanosPerTick;
        }

        private static long clockTicksPerSecond() {
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
                String out = new String(p.getInputStream().readAllBytes()).trim();
                p.waitFor();
                return Long.parseLong(out);
            } catch (IOException | NumberFormatException e) {
                return 100;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 100;
            }
        }
    }

    /** The fields of a {@code /proc/PID/stat} line the benchmark reads (times in clock ticks). */
    record ProcStat(long ppid, long utime, long stime, long cutime, long cstime) {

        /** Parses the line; the command name may hold spaces and parentheses. */
        static ProcStat parse(String line) {
            String[] f = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
            // f[0] is field 3 (the state), so field n is f[n - 3]
            return new ProcStat(
                    Long.parseLong(f[1]),
                    Long.parseLong(f[11]),
                    Long.parseLong(f[12]),
                    Long.parseLong(f[13]),
                    Long.parseLong(f[14]));
        }
    }

    /**
     * What happened between two snapshots while the workload committed {@code changes} changes.
     *
     * @param seconds the window's length
     * @param transactions committed transactions ({@code xact_commit}), read-only ones included
     * @param rowsRead {@code tup_returned + tup_fetched}: rows scanned plus rows fetched by index
     * @param rowsWritten {@code tup_inserted + tup_updated + tup_deleted}
     * @param walBytes WAL written, cluster-wide
     * @param serverCpuNanos CPU time of all the server's processes, -1 if not measured
     * @param mostRead the relations that had the most rows read, most first
     */
    record Window(
            double seconds,
            long changes,
            long transactions,
            long rowsRead,
            long rowsWritten,
            long walBytes,
            long serverCpuNanos,
            List<RelationReads> mostRead) {

        /** How many relations {@link #mostRead} lists at most. */
        static final int MOST_READ = 3;

        static Window between(Snapshot a, Snapshot b, long changes) {
            double seconds = (b.nanos() - a.nanos()) / 1e9;
            List<RelationReads> reads = new ArrayList<>();
            for (Map.Entry<String, Long> e : b.rowsReadByRelation().entrySet()) {
                long read = e.getValue() - a.rowsReadByRelation().getOrDefault(e.getKey(), 0L);
                if (read > 0) {
                    reads.add(new RelationReads(e.getKey(), read / seconds));
                }
            }
            reads.sort(Comparator.comparingDouble(RelationReads::rowsPerSecond).reversed());
            long written =
                    (b.tupInserted() - a.tupInserted())
                            + (b.tupUpdated() - a.tupUpdated())
                            + (b.tupDeleted() - a.tupDeleted());
            return new Window(
                    seconds,
                    changes,
                    b.xactCommit() - a.xactCommit(),
                    (b.tupReturned() - a.tupReturned()) + (b.tupFetched() - a.tupFetched()),
                    written,
                    b.walLsn() - a.walLsn(),
                    a.serverCpuNanos() < 0 || b.serverCpuNanos() < 0
                            ? -1
                            : b.serverCpuNanos() - a.serverCpuNanos(),
                    List.copyOf(reads.subList(0, Math.min(MOST_READ, reads.size()))));
        }

        double transactionsPerSecond() {
            return transactions / seconds;
        }

        double rowsReadPerSecond() {
            return rowsRead / seconds;
        }

        double rowsWrittenPerChange() {
            return (double) rowsWritten / changes;
        }

        double walBytesPerChange() {
            return (double) walBytes / changes;
        }

        /** CPU of the whole PostgreSQL server per 1,000 changes, NaN if not measured. */
        double serverCpuMsPerThousand() {
            return serverCpuNanos < 0 ? Double.NaN : serverCpuNanos / 1e6 / (changes / 1000.0);
        }

        /**
         * What this window did beyond {@code workload} (the same workload with no capture): rates
         * and per-change figures subtracted, so windows of slightly different lengths compare.
         */
        Extra over(Window workload) {
            return new Extra(
                    transactionsPerSecond() - workload.transactionsPerSecond(),
                    rowsReadPerSecond() - workload.rowsReadPerSecond(),
                    rowsWrittenPerChange() - workload.rowsWrittenPerChange(),
                    walBytesPerChange() - workload.walBytesPerChange(),
                    serverCpuMsPerThousand() - workload.serverCpuMsPerThousand());
        }
    }

    /** Rows read from one relation in a window, per second. */
    record RelationReads(String relation, double rowsPerSecond) {}

    /** A capture method's load on the source beyond the workload's own. */
    record Extra(
            double transactionsPerSecond,
            double rowsReadPerSecond,
            double rowsWrittenPerChange,
            double walBytesPerChange,
            double serverCpuMsPerThousand) {}
}
