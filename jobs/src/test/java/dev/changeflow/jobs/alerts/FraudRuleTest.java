package dev.changeflow.jobs.alerts;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FraudRuleTest {

    private static final Duration MAX = Duration.ofHours(1);

    @Test
    void aRowBecomesItsRule() {
        FraudRule rule = FraudRule.fromRow(row("card_testing", 3, "5.00", "200.00", 60), MAX);
        assertThat(rule)
                .isEqualTo(
                        new FraudRule(
                                "r1",
                                FraudRule.Kind.CARD_TESTING,
                                3,
                                500,
                                20_000,
                                60_000,
                                java.time.Instant.parse("2024-01-01T00:00:00Z").toEpochMilli()));
        assertThat(FraudRule.fromRow(row("VELOCITY", 4, null, null, 30), MAX).kind())
                .isEqualTo(FraudRule.Kind.VELOCITY);
        Map<String, Object> disabled = row("velocity", 4, null, null, 30);
        disabled.put("enabled", false);
        assertThat(FraudRule.fromRow(disabled, MAX)).isNull();
    }

    @Test
    void aBadRowIsNamedWithWhatIsWrong() {
        assertThatThrownBy(() -> FraudRule.fromRow(row("bogus", 1, null, null, 60), MAX))
                .hasMessage(
                        "rule 'r1': kind 'bogus' is not card_testing, velocity or cancel_after_pay");
        assertThatThrownBy(() -> FraudRule.fromRow(row("velocity", 1, null, null, 60), MAX))
                .hasMessage("rule 'r1': velocity needs min_count >= 2, got 1");
        assertThatThrownBy(() -> FraudRule.fromRow(row("velocity", 3, null, null, 7200), MAX))
                .hasMessage(
                        "rule 'r1': window_seconds must be between 1 and 3600 (the job's"
                                + " window.max), got 7200");
        assertThatThrownBy(() -> FraudRule.fromRow(row("card_testing", 3, "9.00", "5.00", 60), MAX))
                .hasMessageContaining("large_amount above small_amount");
        assertThatThrownBy(() -> FraudRule.fromRow(row("card_testing", 3, "x", "5.00", 60), MAX))
                .hasMessage("rule 'r1': small_amount must be an amount, got x");
        Map<String, Object> noTime = row("velocity", 3, null, null, 60);
        noTime.remove("valid_from");
        assertThatThrownBy(() -> FraudRule.fromRow(noTime, MAX))
                .hasMessage("field 'valid_from' is missing or null");
    }

    private static Map<String, Object> row(
            String kind, Integer minCount, String small, String large, int window) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("rule_id", "r1");
        row.put("kind", kind);
        row.put("min_count", minCount);
        row.put(
                "small_amount",
                small == null ? null : small.equals("x") ? "x" : new BigDecimal(small));
        row.put("large_amount", large == null ? null : new BigDecimal(large));
        row.put("window_seconds", window);
        row.put("enabled", true);
        row.put("valid_from", "2024-01-01 00:00:00.000");
        return row;
    }
}
