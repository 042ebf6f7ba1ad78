package dev.changeflow.jobs.sinks;

import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.Connector;
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
        assertThat(record.timestamp()).isEqualTo(1_700_000_000_000L);
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
