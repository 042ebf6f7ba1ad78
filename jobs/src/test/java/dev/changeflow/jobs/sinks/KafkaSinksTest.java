package dev.changeflow.jobs.sinks;

import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.PrimaryKeyResolver;
import dev.changeflow.schemas.SourceInfo;

import org.apache.flink.connector.base.DeliveryGuarantee;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaSinksTest {

    @Test
    void exactlyOnceWithoutATransactionalIdPrefixFailsAtBuildTime() {
        assertThatThrownBy(
                        () ->
                                KafkaSinks.changes(
                                        "127.0.0.1:9092",
                                        "cdc",
                                        PrimaryKeyResolver.fixed(List.of("id")),
                                        DeliveryGuarantee.EXACTLY_ONCE,
                                        " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transactional id prefix");
    }

    @Test
    void atLeastOnceNeedsNoPrefix() {
        assertThat(
                        KafkaSinks.changes(
                                "127.0.0.1:9092",
                                "cdc",
                                PrimaryKeyResolver.fixed(List.of("id")),
                                DeliveryGuarantee.AT_LEAST_ONCE,
                                null))
                .isNotNull();
    }

    @Test
    void topicsFollowDebeziumNaming() {
        assertThat(ChangeTopics.topic("cdc", "shop", "public", "orders"))
                .isEqualTo("cdc.shop.public.orders");
        assertThat(ChangeTopics.topic("cdc", "shop", null, "orders")).isEqualTo("cdc.shop.orders");
        assertThat(ChangeTopics.topic("", "shop", "public", "orders"))
                .isEqualTo("shop.public.orders");
    }

    @Test
    void recordsGoToTheTableTopicKeyedByPrimaryKey() {
        SourceInfo source =
                SourceInfo.builder(Connector.LOG, "shop", "public", "order_lines")
                        .tsMs(1_700_000_000_000L)
                        .position(Positions.ofSequence(7))
                        .build();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("order_id", 42);
        row.put("line", 3);
        row.put("qty", 5);
        ChangeEvent event = ChangeEvent.create(source, 1_700_000_000_100L, row);

        ProducerRecord<byte[], byte[]> record =
                new ChangeRecordSerializer(
                                "cdc", PrimaryKeyResolver.fixed(List.of("order_id", "line")))
                        .serialize(ChangeRecord.of(event), null, null);

        assertThat(record.topic()).isEqualTo("cdc.shop.public.order_lines");
        assertThat(new String(record.key(), StandardCharsets.UTF_8))
                .isEqualTo("{\"order_id\":42,\"line\":3}");
        assertThat(ChangeEventJson.fromBytes(record.value())).isEqualTo(event);
    }

    /**
     * The broker deletes by record timestamp: a record stamped with its source time (0 for a
     * snapshot read, 2001 for an old row) would be gone at the next retention pass. Every
     * serializer leaves the timestamp to the producer (the time of writing), whatever the source
     * time or the element's Flink timestamp.
     */
    @Test
    void everyRecordIsStampedWithTheTimeItIsWrittenNotItsSourceTime() {
        SourceInfo snapshot =
                SourceInfo.builder(Connector.LOG, "shop", "public", "orders")
                        .tsMs(0L)
                        .snapshot(true)
                        .position(Positions.ofSequence(1))
                        .build();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1);
        var changes = new ChangeRecordSerializer("cdc", PrimaryKeyResolver.fixed(List.of("id")));
        long elementTime = 978_307_200_000L; // 2001-01-01, as Flink passes an element's timestamp

        assertThat(
                        changes.serialize(
                                        ChangeRecord.of(ChangeEvent.read(snapshot, 0L, row)),
                                        null,
                                        elementTime)
                                .timestamp())
                .isNull();
        assertThat(
                        changes.serialize(
                                        ChangeRecord.tombstoneAfter(
                                                ChangeEvent.delete(snapshot, 0L, row)),
                                        null,
                                        elementTime)
                                .timestamp())
                .isNull();
        DeadLetter letter =
                new DeadLetter(
                        "no",
                        "ingest",
                        "log:shop.public.orders",
                        null,
                        "{}".getBytes(StandardCharsets.UTF_8),
                        elementTime);
        assertThat(new DeadLetterRecordSerializer("dl").serialize(letter, null, elementTime))
                .satisfies(r -> assertThat(r.timestamp()).isNull());
        assertThat(
                        new JsonRecordSerializer<Map<String, Object>>("out", m -> "k")
                                .serialize(row, null, elementTime)
                                .timestamp())
                .isNull();
    }

    @Test
    void aTombstoneCarriesTheDeletedRowsKeyAndNoValue() {
        SourceInfo source =
                SourceInfo.builder(Connector.LOG, "shop", "public", "orders")
                        .tsMs(1_700_000_000_000L)
                        .position(Positions.ofSequence(9))
                        .build();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 7);
        row.put("status", "cancelled");
        ChangeEvent delete = ChangeEvent.delete(source, 1L, row);
        var serializer = new ChangeRecordSerializer("cdc", PrimaryKeyResolver.fixed(List.of("id")));

        ProducerRecord<byte[], byte[]> tombstone =
                serializer.serialize(ChangeRecord.tombstoneAfter(delete), null, null);

        assertThat(tombstone.topic()).isEqualTo("cdc.shop.public.orders");
        assertThat(new String(tombstone.key(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":7}");
        assertThat(tombstone.value()).isNull();
        assertThatThrownBy(() -> ChangeRecord.tombstoneAfter(ChangeEvent.create(source, 1L, row)))
                .hasMessageContaining("follows a delete");
    }

    @Test
    void tablesWithoutAPrimaryKeyGetNullKeys() {
        SourceInfo source =
                SourceInfo.builder(Connector.LOG, "shop", "public", "audit_log")
                        .tsMs(1_700_000_000_000L)
                        .position(Positions.ofSequence(1))
                        .build();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("message", "hello");
        var serializer =
                new ChangeRecordSerializer(
                        "cdc", PrimaryKeyResolver.byTable(Map.of("public.orders", List.of("id"))));

        ProducerRecord<byte[], byte[]> record =
                serializer.serialize(
                        ChangeRecord.of(ChangeEvent.create(source, 1L, row)), null, null);

        assertThat(record.key()).isNull();
        assertThat(record.value()).isNotNull();
    }
}
