package dev.changeflow.jobs;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The local Flink cluster of the jobs' integration tests: one TaskManager, small. */
public final class MiniClusters {

    private MiniClusters() {}

    /** A MiniCluster with one TaskManager of {@code slots} slots, shared by a test class. */
    public static MiniClusterExtension withSlots(int slots) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(slots)
                        .build());
    }
}
