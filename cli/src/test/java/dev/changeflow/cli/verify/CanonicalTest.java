package dev.changeflow.cli.verify;

import dev.changeflow.cli.verify.TableShape.ColumnKind;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CanonicalTest {

    @Test
    void numbersCompareByValueWhateverTheirForm() {
        assertThat(Canonical.text(new BigDecimal("12.50"), ColumnKind.NUMBER, false))
                .isEqualTo("12.5");
        assertThat(Canonical.text("12.50", ColumnKind.NUMBER, false)).isEqualTo("12.5");
        assertThat(Canonical.text(12.5d, ColumnKind.NUMBER, false)).isEqualTo("12.5");
        assertThat(Canonical.text(new BigDecimal("0.00"), ColumnKind.NUMBER, false)).isEqualTo("0");
        assertThat(Canonical.text(1200L, ColumnKind.NUMBER, false)).isEqualTo("1200");
        assertThat(Canonical.text("NaN", ColumnKind.NUMBER, false)).isEqualTo("NaN");
    }

    @Test
    void booleansFromTheirTextOrNumbers() {
        assertThat(Canonical.text(true, ColumnKind.BOOLEAN, false)).isEqualTo("true");
        assertThat(Canonical.text("true", ColumnKind.BOOLEAN, false)).isEqualTo("true");
        assertThat(Canonical.text(0, ColumnKind.BOOLEAN, false)).isEqualTo("false");
    }

    @Test
    void timestampsStayTextOrBecomeEpochMillis() {
        String text = "2026-01-02 03:04:05.678";
        assertThat(Canonical.text(text, ColumnKind.TIMESTAMP, false)).isEqualTo(text);
        String epoch =
                Long.toString(java.time.Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli());
        assertThat(Canonical.text(text, ColumnKind.TIMESTAMP, true)).isEqualTo(epoch);
        assertThat(Canonical.text(text + "901", ColumnKind.TIMESTAMP, true)).isEqualTo(epoch);
        assertThat(Canonical.text("2026-01-02 03:04:05.678Z", ColumnKind.TIMESTAMP, true))
                .isEqualTo(epoch);
        assertThat(Canonical.text("2026-01-02T03:04:05.678Z", ColumnKind.TIMESTAMP, true))
                .isEqualTo(epoch);
        assertThat(Canonical.text(Long.parseLong(epoch), ColumnKind.TIMESTAMP, true))
                .isEqualTo(epoch);
    }

    @Test
    void jsonValuesAsJsonTextAndNullAsAbsent() {
        assertThat(Canonical.text(Map.of("a", 1), ColumnKind.TEXT, false)).isEqualTo("{\"a\":1}");
        assertThat(Canonical.text(List.of(1, "x"), ColumnKind.TEXT, false)).isEqualTo("[1,\"x\"]");
        assertThat(Canonical.text(null, ColumnKind.TEXT, false)).isNull();
    }

    @Test
    void digestIgnoresColumnOrderButNotValues() {
        long a = Canonical.digest(Map.of("id", "1", "name", "x"));
        assertThat(Canonical.digest(new java.util.TreeMap<>(Map.of("name", "x", "id", "1"))))
                .isEqualTo(a);
        assertThat(Canonical.digest(Map.of("id", "1", "name", "y"))).isNotEqualTo(a);
        assertThat(Canonical.digest(Map.of("id", "1", "nam", "ex"))).isNotEqualTo(a);
    }
}
