package dev.changeflow.jobs.analytics;

import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Map;
import java.util.Set;

/**
 * Turns order changes into signed {@link OrderEvent}s (see there): {@code r}/{@code c} add the new
 * row, {@code u} retracts the old row and adds the new one, {@code d} retracts the old row. Only
 * orders whose status counts (everything but {@code cancelled}) contribute, so cancelling an order
 * retracts it. An update that changes nothing the analytics see emits nothing.
 *
 * <p>A change that lacks a field the analytics need, or has one of the wrong type, goes to the dead
 * letters with the reason (and the change as JSON).
 */
public final class ToOrderEvents
        extends ProcessFunction<Either<DeadLetter, KafkaChange>, OrderEvent> {

    private static final long serialVersionUID = 1L;

    /** Records that are not usable order changes. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    /** Statuses that do not count as orders. */
    public static final Set<String> NOT_COUNTED = Set.of("cancelled");

    private static final DateTimeFormatter TIMESTAMP =
            new DateTimeFormatterBuilder()
                    .appendPattern("yyyy-MM-dd HH:mm:ss")
                    .optionalStart()
                    .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
                    .optionalEnd()
                    .toFormatter();

    private transient Counter deadLetters;

    @Override
    public void open(org.apache.flink.configuration.Configuration parameters) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(
            Either<DeadLetter, KafkaChange> value, Context ctx, Collector<OrderEvent> out) {
        if (value.isLeft()) {
            deadLetter(ctx, value.left());
            return;
        }
        ChangeEvent event = value.right().event();
        OrderEvent retract;
        OrderEvent add;
        try {
            retract = event.before() == null ? null : toEvent(event, event.before(), -1);
            add = event.after() == null ? null : toEvent(event, event.after(), +1);
        } catch (IllegalArgumentException e) {
            deadLetter(ctx, DeadLetter.ofChange(e.getMessage(), "analytics", event));
            return;
        }
        if (retract != null && add != null && sameContribution(retract, add)) {
            return;
        }
        if (retract != null && counts(retract)) {
            out.collect(retract);
        }
        if (add != null && counts(add)) {
            out.collect(add);
        }
    }

    private void deadLetter(Context ctx, DeadLetter letter) {
        if (deadLetters != null) {
            deadLetters.inc();
        }
        ctx.output(DEAD_LETTERS, letter);
    }

    private static boolean counts(OrderEvent event) {
        return !NOT_COUNTED.contains(event.status());
    }

    private static boolean sameContribution(OrderEvent a, OrderEvent b) {
        return counts(a) == counts(b)
                && a.customerId() == b.customerId()
                && a.productId() == b.productId()
                && a.amountCents() == b.amountCents()
                && a.eventTimeMs() == b.eventTimeMs();
    }

    /**
     * The order row as an event.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public static OrderEvent toEvent(ChangeEvent event, Map<String, Object> row, int sign) {
        return new OrderEvent(
                longField(row, "id"),
                longField(row, "customer_id"),
                longField(row, "product_id"),
                cents(row),
                stringField(row, "status"),
                eventTime(row),
                sign,
                event.op().code(),
                event.source().position(),
                null,
                null,
                null);
    }

    private static Object field(Map<String, Object> row, String name) {
        Object value = row.get(name);
        if (value == null) {
            throw new IllegalArgumentException("order field '" + name + "' is missing or null");
        }
        return value;
    }

    private static long longField(Map<String, Object> row, String name) {
        Object value = field(row, name);
        if (value instanceof Number) {
            return ((Number) value).longValue();
        }
        throw new IllegalArgumentException(
                "order field '" + name + "' must be a number, got '" + value + "'");
    }

    private static String stringField(Map<String, Object> row, String name) {
        return String.valueOf(field(row, name));
    }

    private static long cents(Map<String, Object> row) {
        Object value = field(row, "amount");
        try {
            return new BigDecimal(value.toString()).movePointRight(2).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(
                    "order field 'amount' must be a number with at most 2 decimals, got '"
                            + value
                            + "'");
        }
    }

    private static long eventTime(Map<String, Object> row) {
        return timestamp(row, "created_at");
    }

    /**
     * A timestamp column ({@code yyyy-MM-dd HH:mm:ss[.fraction]} as UTC, or ISO-8601 with {@code
     * Z}) as epoch milliseconds.
     *
     * @throws IllegalArgumentException naming the column when it is missing or not a timestamp
     */
    public static long timestamp(Map<String, Object> row, String column) {
        Object value = row.get(column);
        if (value == null) {
            throw new IllegalArgumentException("field '" + column + "' is missing or null");
        }
        String text = value.toString();
        try {
            if (text.endsWith("Z")) {
                return Instant.parse(text.replace(' ', 'T')).toEpochMilli();
            }
            return LocalDateTime.parse(text, TIMESTAMP).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "field '" + column + "' must be a timestamp, got '" + text + "'");
        }
    }
}
