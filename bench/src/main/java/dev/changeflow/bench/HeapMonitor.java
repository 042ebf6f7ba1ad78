package dev.changeflow.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Heap use of this JVM (the MiniCluster's, i.e. the TaskManager's): the peak of the used heap
 * sampled every few milliseconds, and the peak of what stayed live after a garbage collection (the
 * heap the job really needs; the rest is garbage not collected yet).
 */
final class HeapMonitor {

    private final AtomicLong peakUsed = new AtomicLong();
    private final AtomicLong peakLiveAfterGc = new AtomicLong();
    private final Set<String> heapPools;

    private HeapMonitor() {
        heapPools = new java.util.HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
    }

    /** Starts sampling every {@code intervalMs} and listening to garbage collections. */
    static HeapMonitor start(long intervalMs) {
        HeapMonitor monitor = new HeapMonitor();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(
                        (notification, handback) -> {
                            if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
                                    .equals(notification.getType())) {
                                monitor.afterGc(
                                        GarbageCollectionNotificationInfo.from(
                                                (CompositeData) notification.getUserData()));
                            }
                        },
                        null,
                        null);
            }
        }
        Thread sampler =
                new Thread(
                        () -> {
                            while (true) {
                                monitor.sample();
                                try {
                                    Thread.sleep(intervalMs);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        },
                        "heap-monitor");
        sampler.setDaemon(true);
        sampler.start();
        return monitor;
    }

    private void sample() {
        peakUsed.accumulateAndGet(
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
    }

    private void afterGc(GarbageCollectionNotificationInfo info) {
        long live = 0;
        for (Map.Entry<String, MemoryUsage> pool :
                info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(pool.getKey())) {
                live += pool.getValue().getUsed();
            }
        }
        // a young collection leaves old garbage in place: the live figure is an upper bound
        peakLiveAfterGc.accumulateAndGet(live, Math::max);
        sample();
    }

    Snapshot snapshot() {
        sample();
        long count = 0;
        long timeMs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            timeMs += Math.max(0, gc.getCollectionTime());
        }
        return new Snapshot(
                peakUsed.get(),
                peakLiveAfterGc.get(),
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax(),
                count,
                timeMs);
    }

    /**
     * @param peakUsed peak used heap, bytes
     * @param peakLiveAfterGc peak heap left after a collection, bytes
     * @param max the JVM's maximum heap, bytes
     * @param gcCount collections so far
     * @param gcTimeMs time spent collecting so far
     */
    record Snapshot(long peakUsed, long peakLiveAfterGc, long max, long gcCount, long gcTimeMs) {

        String toLine() {
            return "peakUsed="
                    + peakUsed
                    + " peakLiveAfterGc="
                    + peakLiveAfterGc
                    + " max="
                    + max
                    + " gcCount="
                    + gcCount
                    + " gcTimeMs="
                    + gcTimeMs;
        }

        static Snapshot parse(String line) {
            Map<String, Long> values = new HashMap<>();
            for (String part : line.trim().split("\\s+")) {
                int eq = part.indexOf('=');
                values.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
            }
            return new Snapshot(
                    values.get("peakUsed"),
                    values.get("peakLiveAfterGc"),
                    values.get("max"),
                    values.get("gcCount"),
                    values.get("gcTimeMs"));
        }
    }
}
