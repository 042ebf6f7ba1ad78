package dev.changeflow.jobs.analytics;

import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.SourceInfo;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Order rows and their change events, as the ingest job writes them, for the tests. */
final class Orders {

    static final long T0 = Instant.parse("2024-01-01T12:00:00Z").toEpochMilli();
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private Orders() {}

    static Map<String, Object> row(
            long id, long customer, long product, String amount, String status, long createdAt) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("customer_id", customer);
        row.put("product_id", product);
        row.put("amount", new BigDecimal(amount));
        row.put("status", status);
        row.put("created_at", TIMESTAMP.format(Instant.ofEpochMilli(createdAt)));
        return row;
    }

    static SourceInfo source(long position) {
        return SourceInfo.builder(Connector.LOG, "shop", "public", "orders")
                .tsMs(T0 + position)
                .position(Positions.ofSequence(position))
                .build();
    }

    static KafkaChange create(long position, Map<String, Object> row) {
        return keyed(row, ChangeEvent.create(source(position), 1L, row));
    }

    static KafkaChange update(
            long position, Map<String, Object> before, Map<String, Object> after) {
        return keyed(after, ChangeEvent.update(source(position), 1L, before, after));
    }

    static KafkaChange delete(long position, Map<String, Object> before) {
        return keyed(before, ChangeEvent.delete(source(position), 1L, before));
    }

    private static KafkaChange keyed(Map<String, Object> row, ChangeEvent event) {
        return new KafkaChange("{\"id\":" + row.get("id") + "}", event);
    }
}
