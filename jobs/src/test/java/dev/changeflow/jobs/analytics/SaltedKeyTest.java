package dev.changeflow.jobs.analytics;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The skew test: a hot category with 90% of the orders pins one of four subtasks when windows are
 * keyed by category alone; salted keys spread it.
 */
class SaltedKeyTest {

    private static final int PARALLELISM = 4;
    private static final int MAX_PARALLELISM = 128;

    @Test
    void aHotKeySpreadsOverSubtasksWhenSalted() {
        int[] unsalted = new int[PARALLELISM];
        int[] salted = new int[PARALLELISM];
        for (long order = 0; order < 10_000; order++) {
            String category = order % 10 == 0 ? "category-" + (order % 7) : "books";
            unsalted[subtask(category)]++;
            salted[subtask(SaltedKey.of(category, order, 8))]++;
        }

        assertThat(max(unsalted))
                .as("unsalted: the hot key's subtask")
                .isGreaterThanOrEqualTo(9_000);
        assertThat(max(salted))
                .as("salted: no subtask has more than 40% of the orders")
                .isLessThan(4_000);
    }

    /** The acceptance case: 80% of the orders on one product, parallelism 2. */
    @Test
    void eightyPercentOnOneKeyStaysBalancedOnTwoSubtasks() {
        int[] salted = new int[2];
        for (long order = 0; order < 10_000; order++) {
            String category = order % 5 == 0 ? "category-" + (order % 3) : "books";
            int subtask =
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            SaltedKey.of(category, order, 4), MAX_PARALLELISM, 2);
            salted[subtask]++;
        }
        assertThat(Math.max(salted[0], salted[1]))
                .as("the busier of two subtasks")
                .isLessThan(6_500);
    }

    @Test
    void theSameOrderAlwaysGetsTheSameSalt() {
        assertThat(SaltedKey.of("books", 42, 8)).isEqualTo(SaltedKey.of("books", 42, 8));
        for (long order = 0; order < 1_000; order++) {
            assertThat(SaltedKey.of("x", order, 8).salt()).isBetween(0, 7);
        }
    }

    private static int subtask(Object key) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(
                key, MAX_PARALLELISM, PARALLELISM);
    }

    private static int max(int[] counts) {
        int max = 0;
        for (int c : counts) {
            max = Math.max(max, c);
        }
        return max;
    }
}
