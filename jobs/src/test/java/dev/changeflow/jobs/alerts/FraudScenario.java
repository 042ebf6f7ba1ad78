package dev.changeflow.jobs.alerts;

import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.SourceInfo;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A shop's orders and fraud rules, as the ingest job writes their changes, with the alerts they
 * must raise and no others (times in seconds after {@link #T0}):
 *
 * <ul>
 *   <li>rules from T0 - 1 h: {@code ct} card testing (3 orders of at most 5.00, then one of at
 *       least 200.00, within 60 s), {@code vel} velocity (5 orders within 60 s), {@code cap} cancel
 *       after pay (within 60 s), and a row of an unknown kind (a dead letter);
 *   <li>{@code vel} changed to 3 orders from T0 + 600 s; {@code cap} deleted at T0 + 1200 s;
 *   <li>customer 1: 1.00 at 0, 10, 20 s, then 500.00 at 30 s: card testing;
 *   <li>customer 2: the same, but the large order at 300 s: none (outside 60 s);
 *   <li>customer 3: placed at 400, paid at 410, cancelled at 430: cancel after pay;
 *   <li>customer 4: placed at 500, paid at 510, cancelled at 700: none;
 *   <li>customer 5: 6 orders of 20.00 at 100..150 s: velocity once (the first 5);
 *   <li>customer 6: 3 orders at 200..220 s (none: 5 needed then), 3 at 700..720 s (velocity: 3
 *       needed from 600 s);
 *   <li>customer 7: placed at 1300, paid at 1310, cancelled at 1320: none (cap deleted);
 *   <li>an order change without a usable amount: a dead letter.
 * </ul>
 *
 * Orders arrive out of event-time order by up to 50 s (customer 2's after customer 5's): run it
 * with an out-of-orderness of a minute.
 */
final class FraudScenario {

    static final long T0 = Instant.parse("2024-01-01T12:00:00Z").toEpochMilli();
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /** The alerts to expect: rule, customer and matched order ids. */
    static final List<String> EXPECTED =
            List.of(
                    "ct:1:[101, 102, 103, 104]",
                    "cap:3:[301]",
                    "vel:5:[501, 502, 503, 504, 505]",
                    "vel:6:[604, 605, 606]");

    private long position;
    private final List<KafkaChange> orders = new ArrayList<>();
    private final List<KafkaChange> rules = new ArrayList<>();

    static FraudScenario build() {
        FraudScenario s = new FraudScenario();
        Map<String, Object> vel = ruleRow("vel", "velocity", 5, null, null, 60, -3600);
        Map<String, Object> cap = ruleRow("cap", "cancel_after_pay", null, null, null, 60, -3600);
        s.rule(-3600, ruleRow("ct", "card_testing", 3, "5.00", "200.00", 60, -3600));
        s.rule(-3600, vel);
        s.rule(-3600, cap);
        s.rule(-3600, ruleRow("odd", "bogus", 1, null, null, 60, -3600));
        s.ruleUpdate(600, vel, ruleRow("vel", "velocity", 3, null, null, 60, 600));
        s.ruleDelete(1200, cap);

        s.placed(101, 1, "1.00", 0);
        s.placed(102, 1, "1.00", 10);
        s.placed(103, 1, "1.00", 20);
        s.placed(104, 1, "500.00", 30);
        for (int i = 0; i < 6; i++) {
            s.placed(501 + i, 5, "20.00", 100 + 10 * i);
        }
        s.placed(201, 2, "1.00", 100);
        s.placed(202, 2, "1.00", 110);
        s.placed(203, 2, "1.00", 120);
        s.placed(601, 6, "20.00", 200);
        s.placed(602, 6, "20.00", 210);
        s.placed(603, 6, "20.00", 220);
        s.placed(204, 2, "500.00", 300);
        s.placed(301, 3, "50.00", 400);
        s.status(301, 3, "50.00", 400, "placed", "paid", 410);
        s.status(301, 3, "50.00", 400, "paid", "cancelled", 430);
        s.placed(401, 4, "50.00", 500);
        s.status(401, 4, "50.00", 500, "placed", "paid", 510);
        s.brokenOrder(999, 520);
        s.status(401, 4, "50.00", 500, "paid", "cancelled", 700);
        s.placed(604, 6, "20.00", 700);
        s.placed(605, 6, "20.00", 710);
        s.placed(606, 6, "20.00", 720);
        s.placed(701, 7, "50.00", 1300);
        s.status(701, 7, "50.00", 1300, "placed", "paid", 1310);
        s.status(701, 7, "50.00", 1300, "paid", "cancelled", 1320);
        // a last order far ahead moves the watermark past everything before it
        s.placed(801, 8, "20.00", 3000);
        return s;
    }

    List<KafkaChange> orders() {
        return orders;
    }

    List<KafkaChange> rules() {
        return rules;
    }

    /** An alert as {@code rule:customer:[orders]}, as {@link #EXPECTED} lists them. */
    static String summary(Alert alert) {
        return alert.ruleId()
                + ":"
                + alert.customerId()
                + ":"
                + java.util.Arrays.toString(alert.orderIds());
    }

    private void placed(long id, long customer, String amount, long second) {
        Map<String, Object> row = order(id, customer, amount, "placed", second);
        orders.add(change(ChangeEvent.create(source("orders", second), 1L, row), id));
    }

    private void status(
            long id, long customer, String amount, long placedAt, String from, String to, long at) {
        ChangeEvent update =
                ChangeEvent.update(
                        source("orders", at),
                        1L,
                        order(id, customer, amount, from, placedAt),
                        order(id, customer, amount, to, placedAt));
        orders.add(change(update, id));
    }

    private void brokenOrder(long id, long second) {
        Map<String, Object> row = order(id, 9, "1.00", "placed", second);
        row.put("amount", "a lot");
        orders.add(change(ChangeEvent.create(source("orders", second), 1L, row), id));
    }

    private void rule(long second, Map<String, Object> row) {
        rules.add(ruleChange(ChangeEvent.create(source("fraud_rules", second), 1L, row)));
    }

    private void ruleUpdate(long second, Map<String, Object> before, Map<String, Object> after) {
        rules.add(ruleChange(ChangeEvent.update(source("fraud_rules", second), 1L, before, after)));
    }

    private void ruleDelete(long second, Map<String, Object> before) {
        rules.add(ruleChange(ChangeEvent.delete(source("fraud_rules", second), 1L, before)));
    }

    private static Map<String, Object> ruleRow(
            String id,
            String kind,
            Integer minCount,
            String small,
            String large,
            int windowSeconds,
            long validFrom) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("rule_id", id);
        row.put("kind", kind);
        row.put("min_count", minCount);
        row.put("small_amount", small == null ? null : new BigDecimal(small));
        row.put("large_amount", large == null ? null : new BigDecimal(large));
        row.put("window_seconds", windowSeconds);
        row.put("enabled", true);
        row.put("valid_from", TIMESTAMP.format(Instant.ofEpochMilli(T0 + validFrom * 1000)));
        return row;
    }

    private static Map<String, Object> order(
            long id, long customer, String amount, String status, long second) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("customer_id", customer);
        row.put("product_id", 1L);
        row.put("amount", new BigDecimal(amount));
        row.put("status", status);
        row.put("created_at", TIMESTAMP.format(Instant.ofEpochMilli(T0 + second * 1000)));
        return row;
    }

    private SourceInfo source(String table, long second) {
        return SourceInfo.builder(Connector.LOG, "shop", "public", table)
                .tsMs(T0 + second * 1000)
                .position(Positions.ofSequence(++position))
                .build();
    }

    private static KafkaChange change(ChangeEvent event, long id) {
        return new KafkaChange("{\"id\":" + id + "}", event);
    }

    private static KafkaChange ruleChange(ChangeEvent event) {
        Map<String, Object> row = event.after() == null ? event.before() : event.after();
        return new KafkaChange("{\"rule_id\":\"" + row.get("rule_id") + "\"}", event);
    }
}
