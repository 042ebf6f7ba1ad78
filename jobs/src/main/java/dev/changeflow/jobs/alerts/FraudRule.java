package dev.changeflow.jobs.alerts;

import dev.changeflow.jobs.analytics.ToOrderEvents;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * A row of the {@code fraud_rules} table: which pattern to look for and its thresholds. The table
 * is captured by Changeflow itself, so inserting, changing or deleting a row changes the job's
 * thresholds while it runs (see {@link AttachRules}).
 *
 * <pre>{@code
 * CREATE TABLE fraud_rules (
 *   rule_id        text PRIMARY KEY,
 *   kind           text NOT NULL,      -- card_testing | velocity | cancel_after_pay
 *   min_count      int,                -- card_testing: small orders before the large one;
 *                                      -- velocity: orders within the window
 *   small_amount   numeric(10,2),      -- card_testing: at most this is small
 *   large_amount   numeric(10,2),      -- card_testing: at least this is large
 *   window_seconds int NOT NULL,       -- the pattern's time span
 *   enabled        boolean NOT NULL DEFAULT true,
 *   valid_from     timestamp(3) NOT NULL  -- event time from which this version applies
 * );
 * }</pre>
 *
 * @param windowMs the longest time from the first to the last event of a match
 * @param validFromMs the event time from which this version of the rule applies
 */
public record FraudRule(
        String ruleId,
        Kind kind,
        int minCount,
        long smallCents,
        long largeCents,
        long windowMs,
        long validFromMs) {

    /** The patterns the job knows (see {@link AlertPatterns}). */
    public enum Kind {
        /** {@code min_count} small orders in a row, then a large one. */
        CARD_TESTING,
        /** {@code min_count} orders within the window. */
        VELOCITY,
        /** An order paid, then cancelled within the window. */
        CANCEL_AFTER_PAY
    }

    /** Whether this rule looks at {@code activity} at all. */
    public boolean appliesTo(OrderActivity activity) {
        return kind == Kind.CANCEL_AFTER_PAY
                ? activity.kind() == OrderActivity.Kind.STATUS
                : activity.kind() == OrderActivity.Kind.PLACED;
    }

    /**
     * The rule a {@code fraud_rules} row describes, or null for a disabled one.
     *
     * @param maxWindow the longest window the job's patterns keep events for
     * @throws IllegalArgumentException naming what is wrong with the row
     */
    static FraudRule fromRow(Map<String, Object> row, Duration maxWindow) {
        String ruleId = text(row, "rule_id");
        long validFrom = ToOrderEvents.timestamp(row, "valid_from");
        Object enabled = row.get("enabled");
        if (enabled != null && !Boolean.parseBoolean(enabled.toString())) {
            return null;
        }
        Kind kind;
        try {
            kind = Kind.valueOf(text(row, "kind").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "rule '"
                            + ruleId
                            + "': kind '"
                            + row.get("kind")
                            + "' is not card_testing, velocity or cancel_after_pay");
        }
        long window = whole(row, "window_seconds", ruleId) * 1000;
        if (window <= 0 || window > maxWindow.toMillis()) {
            throw new IllegalArgumentException(
                    "rule '"
                            + ruleId
                            + "': window_seconds must be between 1 and "
                            + maxWindow.toSeconds()
                            + " (the job's window.max), got "
                            + row.get("window_seconds"));
        }
        int minCount = 0;
        long small = 0;
        long large = 0;
        if (kind == Kind.CARD_TESTING) {
            minCount = (int) whole(row, "min_count", ruleId);
            small = cents(row, "small_amount", ruleId);
            large = cents(row, "large_amount", ruleId);
            if (minCount < 1 || large <= small) {
                throw new IllegalArgumentException(
                        "rule '"
                                + ruleId
                                + "': card_testing needs min_count >= 1 and large_amount above"
                                + " small_amount, got min_count "
                                + minCount
                                + ", small_amount "
                                + row.get("small_amount")
                                + ", large_amount "
                                + row.get("large_amount"));
            }
        } else if (kind == Kind.VELOCITY) {
            minCount = (int) whole(row, "min_count", ruleId);
            if (minCount < 2) {
                throw new IllegalArgumentException(
                        "rule '" + ruleId + "': velocity needs min_count >= 2, got " + minCount);
            }
        }
        return new FraudRule(ruleId, kind, minCount, small, large, window, validFrom);
    }

    private static String text(Map<String, Object> row, String column) {
        Object value = row.get(column);
        if (value == null || value.toString().isBlank()) {
            throw new IllegalArgumentException("fraud rule column '" + column + "' is missing");
        }
        return value.toString();
    }

    private static long whole(Map<String, Object> row, String column, String ruleId) {
        Object value = row.get(column);
        if (value instanceof Number number && number.doubleValue() == number.longValue()) {
            return number.longValue();
        }
        throw new IllegalArgumentException(
                "rule '" + ruleId + "': " + column + " must be a whole number, got " + value);
    }

    private static long cents(Map<String, Object> row, String column, String ruleId) {
        Object value = row.get(column);
        try {
            return new BigDecimal(String.valueOf(value)).movePointRight(2).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(
                    "rule '" + ruleId + "': " + column + " must be an amount, got " + value);
        }
    }
}
