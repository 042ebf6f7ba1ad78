package dev.changeflow.cli.verify;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SortedStoreTest {

    @TempDir Path dir;

    @Test
    void keepsRowsInKeyOrderAndSkipsDeletedOnesInRangesAndChecksums() throws Exception {
        try (SortedStore store = new SortedStore(dir)) {
            for (long id : new long[] {5, -2, 30, 7}) {
                store.put(
                        key(id), new SortedStore.StoredRow("p" + id, false, Map.of("id", "" + id)));
            }
            store.put(key(7), new SortedStore.StoredRow("p8", true, Map.of()));
            store.put(key(9), new SortedStore.StoredRow(null, false, Map.of("é", "ü")));

            List<Object> ids = new ArrayList<>();
            store.range(null, null)
                    .forEachRemaining(e -> ids.add(SortKeys.parts(e.getKey()).get(0)));
            assertThat(ids).containsExactly(-2L, 5L, 9L, 30L);

            List<Object> between = new ArrayList<>();
            store.range(key(-2), key(9))
                    .forEachRemaining(e -> between.add(SortKeys.parts(e.getKey()).get(0)));
            assertThat(between).containsExactly(5L, 9L);

            SortedStore.Checksum checksum = store.checksum(key(-2), key(9));
            assertThat(checksum.count()).isEqualTo(2);
            assertThat(checksum.sum())
                    .isEqualTo(
                            Canonical.digest(Map.of("id", "5"))
                                    + Canonical.digest(Map.of("é", "ü")));

            assertThat(store.get(key(7)).deleted()).isTrue();
            assertThat(store.get(key(9)))
                    .isEqualTo(new SortedStore.StoredRow(null, false, Map.of("é", "ü")));
            assertThat(store.get(key(4))).isNull();
        }
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    private static byte[] key(long id) {
        return SortKeys.of(List.of(id));
    }
}
