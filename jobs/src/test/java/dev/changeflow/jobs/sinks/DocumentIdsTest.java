package dev.changeflow.jobs.sinks;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DocumentIdsTest {

    @Test
    void aKeyIsItsOwnId() {
        assertThat(DocumentIds.of(42)).isEqualTo("42");
        assertThat(DocumentIds.of("A-17")).isEqualTo("A-17");
    }

    @Test
    void compositeKeysJoinInKeyOrder() {
        assertThat(DocumentIds.of(42, 3)).isEqualTo("42|3");
        assertThat(DocumentIds.of("shop", "public", 7L)).isEqualTo("shop|public|7");
    }

    @Test
    void theSameElementAlwaysGetsTheSameId() {
        assertThat(DocumentIds.of(42, "x")).isEqualTo(DocumentIds.of(42L, "x"));
    }

    @Test
    void differentPartsNeverShareAnId() {
        List<Object[]> keys =
                List.of(
                        new Object[] {"a|b", "c"},
                        new Object[] {"a", "b|c"},
                        new Object[] {"a", "b", "c"},
                        new Object[] {"a\\", "b"},
                        new Object[] {"a", "\\b"},
                        new Object[] {"a\\|b"},
                        new Object[] {null},
                        new Object[] {"\\N"},
                        new Object[] {"null"},
                        new Object[] {""},
                        new Object[] {"", ""},
                        new Object[] {"|"});
        Set<String> ids = new HashSet<>();
        for (Object[] key : keys) {
            ids.add(DocumentIds.of(key));
        }
        assertThat(ids).hasSize(keys.size());
        assertThat(DocumentIds.of("a|b", "c")).isEqualTo("a\\|b|c");
        assertThat(DocumentIds.of((Object) null)).isEqualTo("\\N");
        assertThat(DocumentIds.of("\\N")).isEqualTo("\\\\N");
    }

    @Test
    void aWindowIsItsKeyAndBoundsInUtc() {
        long start = Instant.parse("2025-01-01T10:00:00Z").toEpochMilli();
        long end = Instant.parse("2025-01-01T11:00:00Z").toEpochMilli();
        assertThat(DocumentIds.window("books", start, end))
                .isEqualTo("books|2025-01-01T10:00:00Z|2025-01-01T11:00:00Z");
        assertThat(DocumentIds.window("books", start, end))
                .isNotEqualTo(DocumentIds.window("books", start, end + 1))
                .isNotEqualTo(DocumentIds.window("music", start, end));
        assertThatThrownBy(() -> DocumentIds.window("books", end, start))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("before its start");
    }

    @Test
    void anIdNeedsAPart() {
        assertThatThrownBy(DocumentIds::of).isInstanceOf(IllegalArgumentException.class);
    }
}
