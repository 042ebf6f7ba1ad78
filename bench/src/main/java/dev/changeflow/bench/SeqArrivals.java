package dev.changeflow.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When each change of a range of {@code seq}s first reached Kafka: filled by one consumer thread
 * ({@link #record}), read by the benchmark. Counts the records beyond the first of a change
 * (duplicates: at-least-once redelivery, or a query poll that saw a row twice); records of other
 * seqs (probes, earlier runs) are ignored.
 */
final class SeqArrivals {

    private final long firstSeq;
    private final AtomicLongArray arrivals;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();

    SeqArrivals(long firstSeq, int capacity) {
        this.firstSeq = firstSeq;
        this.arrivals = new AtomicLongArray(capacity);
    }

    /** A record of change {@code seq} arrived at {@code atNanos} ({@link System#nanoTime()}). */
    void record(long seq, long atNanos) {
        long i = seq - firstSeq;
        if (i < 0 || i >= arrivals.length()) {
            return;
        }
        records.incrementAndGet();
        if (!arrivals.compareAndSet((int) i, 0, atNanos)) {
            duplicates.incrementAndGet();
        }
    }

    /** When {@code seq} first arrived, 0 if not (yet). */
    long arrival(long seq) {
        long i = seq - firstSeq;
        return i < 0 || i >= arrivals.length() ? 0 : arrivals.get((int) i);
    }

    /** Records of tracked seqs, duplicates included. */
    long records() {
        return records.get();
    }

    long duplicates() {
        return duplicates.get();
    }

    /** The seqs of {@code targets} that did not arrive (yet). */
    long missing(long[] targets) {
        long missing = 0;
        for (long seq : targets) {
            if (arrival(seq) == 0) {
                missing++;
            }
        }
        return missing;
    }

    /**
     * Waits until every seq of {@code targets} arrived; returns the latest of their arrival times,
     * or -1 if some are still missing after {@code timeout}.
     */
    long awaitAll(long[] targets, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = 0;
        long last = 0;
        while (true) {
            while (next < targets.length) {
                long at = arrival(targets[next]);
                if (at == 0) {
                    break;
                }
                last = Math.max(last, at);
                next++;
            }
            if (next == targets.length) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                return -1;
            }
            Thread.sleep(2);
        }
    }

    /** Every seq from {@code first} to {@code last}: the changes a log or trigger capture emits. */
    static long[] range(long first, long last) {
        long[] seqs = new long[(int) (last - first + 1)];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = first + i;
        }
        return seqs;
    }

    /**
     * Latency of the changes {@code first..last}: commit (as the writer saw it) to first arrival. A
     * change that never arrived is <i>superseded</i> when a later change of the same row replaced
     * it before it was read ({@code current} = the seqs the table still holds, sorted; only a
     * query-based capture may skip such a change), else <i>lost</i>.
     */
    static Latency latency(
            long first,
            long last,
            Workload.CommitTimes commits,
            SeqArrivals arrivals,
            long[] current,
            boolean skipsSuperseded) {
        long[] nanos = new long[(int) (last - first + 1)];
        int n = 0;
        long lost = 0;
        long superseded = 0;
        for (long seq = first; seq <= last; seq++) {
            long committed = commits.of(seq);
            if (committed == 0) {
                continue;
            }
            long at = arrivals.arrival(seq);
            if (at != 0) {
                nanos[n++] = Math.max(0, at - committed);
            } else if (skipsSuperseded && Arrays.binarySearch(current, seq) < 0) {
                superseded++;
            } else {
                lost++;
            }
        }
        double[] p = Results.percentilesMs(nanos, n, 50, 95, 99, 100);
        return new Latency(n, lost, superseded, p[0], p[1], p[2], p[3]);
    }

    /**
     * Commit to Kafka latency of a run's changes.
     *
     * @param samples changes that arrived
     * @param lost changes that never arrived although the table still holds them (or any missing
     *     change, for a method that must deliver every change)
     * @param superseded changes that never arrived because the row changed again before the poll
     */
    record Latency(
            long samples,
            long lost,
            long superseded,
            double p50Ms,
            double p95Ms,
            double p99Ms,
            double maxMs) {}
}
