package dev.changeflow.cli.verify;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SortKeysTest {

    @Test
    void integersSortNumericallyIncludingNegatives() {
        List<Long> values = List.of(Long.MIN_VALUE, -300L, -1L, 0L, 1L, 255L, 256L, Long.MAX_VALUE);
        List<byte[]> keys = new ArrayList<>();
        values.forEach(v -> keys.add(SortKeys.of(List.of(v))));
        List<byte[]> sorted = new ArrayList<>(keys);
        sorted.sort(SortKeys::compare);
        assertThat(sorted).containsExactlyElementsOf(keys);
        for (int i = 0; i < values.size(); i++) {
            assertThat(SortKeys.parts(keys.get(i))).containsExactly(values.get(i));
        }
    }

    @Test
    void textSortsByCodePointAndAPrefixFirst() {
        List<String> values = List.of("", "a", "a\u0000", "a\u0000b", "ab", "b", "é", "😀");
        List<byte[]> keys = new ArrayList<>();
        values.forEach(v -> keys.add(SortKeys.of(List.of(v))));
        List<byte[]> sorted = new ArrayList<>(keys);
        sorted.sort(SortKeys::compare);
        assertThat(sorted).containsExactlyElementsOf(keys);
        List<String> byCodePoint = new ArrayList<>(values);
        byCodePoint.sort(
                Comparator.comparing(
                        s -> s.codePoints().boxed().toList(), SortKeysTest::lexicographic));
        assertThat(byCodePoint).containsExactlyElementsOf(values);
        for (int i = 0; i < values.size(); i++) {
            assertThat(SortKeys.parts(keys.get(i))).containsExactly(values.get(i));
        }
    }

    @Test
    void compositeKeysSortByFirstPartThenSecond() {
        byte[] a = SortKeys.of(List.of(1L, "z"));
        byte[] b = SortKeys.of(List.of(2L, "a"));
        byte[] c = SortKeys.of(List.of(2L, "ab"));
        assertThat(SortKeys.compare(a, b)).isNegative();
        assertThat(SortKeys.compare(b, c)).isNegative();
        assertThat(SortKeys.parts(c)).containsExactly(2L, "ab");
    }

    private static int lexicographic(List<Integer> a, List<Integer> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int order = Integer.compare(a.get(i), b.get(i));
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
