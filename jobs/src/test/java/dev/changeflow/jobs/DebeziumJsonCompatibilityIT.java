package dev.changeflow.jobs;

import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.JsonText;
import dev.changeflow.schemas.SourceInfo;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The envelope written by common-schemas is what Flink SQL's stock {@code debezium-json} format
 * reads: inserts, updates and deletes become +I, -U/+U and -D rows, and every mapped column type
 * (see common-schemas/TYPES.md) arrives as the declared Flink SQL type, NULLs included.
 */
@LocalStackTest(services = Service.KAFKA)
class DebeziumJsonCompatibilityIT {

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final String TOPIC = "cdc.shop.public.products";

    @Test
    void flinkSqlReadsTheEnvelopeAsAChangelog(KafkaServer kafka) throws Exception {
        Map<String, Object> one = row(1, "lamp", new BigDecimal("19.90"), true);
        Map<String, Object> oneUpdated = row(1, "lamp", new BigDecimal("-17.50"), false);
        Map<String, Object> two = nullRow(2);
        List<ChangeEvent> events =
                List.of(
                        ChangeEvent.read(source(1, true), 1_000, one),
                        ChangeEvent.create(source(2, false), 2_000, two),
                        ChangeEvent.update(source(3, false), 3_000, one, oneUpdated),
                        ChangeEvent.delete(source(4, false), 4_000, two));
        produce(kafka, events);

        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tEnv.executeSql(
                "CREATE TABLE products ("
                        + " id INT,"
                        + " name STRING,"
                        + " price DECIMAL(10, 2),"
                        + " in_stock BOOLEAN,"
                        + " weight DOUBLE,"
                        + " big BIGINT,"
                        + " created_at TIMESTAMP(6),"
                        + " updated_at TIMESTAMP_LTZ(6),"
                        + " release_day DATE,"
                        + " opens_at TIME(3),"
                        + " tags ARRAY<STRING>,"
                        + " attributes STRING,"
                        + " picture BYTES,"
                        + " sku STRING"
                        + ") WITH ("
                        + " 'connector' = 'kafka',"
                        + " 'topic' = '"
                        + TOPIC
                        + "',"
                        + " 'properties.bootstrap.servers' = '"
                        + kafka.bootstrapServers()
                        + "',"
                        + " 'properties.group.id' = 'debezium-json-it',"
                        + " 'scan.startup.mode' = 'earliest-offset',"
                        + " 'scan.bounded.mode' = 'latest-offset',"
                        + " 'format' = 'debezium-json',"
                        + " 'debezium-json.ignore-parse-errors' = 'false'"
                        + ")");
        tEnv.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        List<String> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = tEnv.executeSql("SELECT * FROM products").collect()) {
            it.forEachRemaining(r -> rows.add(r.toString()));
        }
        String oneRow =
                "1, lamp, 19.90, true, 0.25, 9007199254740993, 2024-02-29T23:59:59.123456,"
                        + " 2024-03-01T01:02:03.000001Z, 2024-02-29, 08:30:15, [a, b],"
                        + " {\"color\":\"red\",\"sizes\":[1,2]}, [1, 2, 3, -1],"
                        + " 3f0a7c1e-8d3b-4a51-9c1f-2b6a0e4d5f70";
        String oneUpdatedRow = oneRow.replace("19.90, true", "-17.50, false");
        String twoRow =
                "2, null, null, null, null, null, null, null, null, null, null, null, null, null";
        assertThat(rows)
                .containsExactly(
                        "+I[" + oneRow + "]",
                        "+I[" + twoRow + "]",
                        "-U[" + oneRow + "]",
                        "+U[" + oneUpdatedRow + "]",
                        "-D[" + twoRow + "]");
    }

    private static Map<String, Object> row(int id, String name, BigDecimal price, boolean inStock) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("name", name);
        row.put("price", price);
        row.put("in_stock", inStock);
        row.put("weight", 0.25d);
        row.put("big", 9007199254740993L);
        row.put("created_at", LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_000));
        row.put("updated_at", OffsetDateTime.of(2024, 3, 1, 3, 2, 3, 1_000, ZoneOffset.ofHours(2)));
        row.put("release_day", LocalDate.of(2024, 2, 29));
        row.put("opens_at", LocalTime.of(8, 30, 15, 250_000_000));
        row.put("tags", List.of("a", "b"));
        row.put("attributes", new JsonText("{\"color\":\"red\",\"sizes\":[1,2]}"));
        row.put("picture", new byte[] {1, 2, 3, -1});
        row.put("sku", UUID.fromString("3f0a7c1e-8d3b-4a51-9c1f-2b6a0e4d5f70"));
        return row;
    }

    private static Map<String, Object> nullRow(int id) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        for (String column :
                List.of(
                        "name",
                        "price",
                        "in_stock",
                        "weight",
                        "big",
                        "created_at",
                        "updated_at",
                        "release_day",
                        "opens_at",
                        "tags",
                        "attributes",
                        "picture",
                        "sku")) {
            row.put(column, null);
        }
        return row;
    }

    private static SourceInfo source(long position, boolean snapshot) {
        return SourceInfo.builder(Connector.LOG, "shop", "public", "products")
                .tsMs(position * 1000)
                .snapshot(snapshot)
                .position(Long.toString(position))
                .build();
    }

    private static void produce(KafkaServer kafka, List<ChangeEvent> events) throws Exception {
        Map<String, Object> conf =
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (var producer =
                new KafkaProducer<>(conf, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ChangeEvent event : events) {
                producer.send(
                                new ProducerRecord<>(
                                        TOPIC,
                                        ChangeEventJson.keyToBytes(event.key(List.of("id"))),
                                        ChangeEventJson.toBytes(event)))
                        .get();
            }
        }
    }
}
