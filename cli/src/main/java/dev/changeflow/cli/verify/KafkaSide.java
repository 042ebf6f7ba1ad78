package dev.changeflow.cli.verify;

import dev.changeflow.jobs.sinks.ChangeTopics;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.Op;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A change topic folded per record key the way Flink SQL's {@code debezium-json} reads it: read
 * committed, in offset order per partition, the last change of a key wins, a delete or a tombstone
 * removes the row. The topic is read to the end offsets taken when the read starts; {@link
 * #refresh} reads on to the new end.
 */
final class KafkaSide implements SinkSide {

    private final String bootstrapServers;
    private final String topicPrefix;
    private final Map<String, KafkaConsumer<byte[], byte[]>> consumers = new HashMap<>();
    private final Map<String, Long> unreadable = new HashMap<>();

    KafkaSide(String bootstrapServers, String topicPrefix) {
        this.bootstrapServers = bootstrapServers;
        this.topicPrefix = topicPrefix;
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public String target(TableShape table) {
        return ChangeTopics.topic(topicPrefix, table.database(), table.schema(), table.name());
    }

    @Override
    public Projection projection(TableShape table) {
        return Projection.wholeRow(table);
    }

    @Override
    public void load(TableShape table, Projection projection, SortedStore store) {
        String topic = target(table);
        KafkaConsumer<byte[], byte[]> consumer = consumer();
        consumers.put(table.qualified(), consumer);
        List<TopicPartition> partitions = new ArrayList<>();
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException(
                    "topic " + topic + " does not exist at " + bootstrapServers);
        }
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        readToEnd(table, projection, store, consumer);
    }

    @Override
    public void refresh(
            TableShape table, Projection projection, SortedStore store, List<List<Object>> keys) {
        readToEnd(table, projection, store, consumers.get(table.qualified()));
    }

    @Override
    public long unreadable(TableShape table) {
        return unreadable.getOrDefault(table.qualified(), 0L);
    }

    private void readToEnd(
            TableShape table,
            Projection projection,
            SortedStore store,
            KafkaConsumer<byte[], byte[]> consumer) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
        while (ends.entrySet().stream()
                .anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                fold(table, projection, store, record);
            }
        }
    }

    private void fold(
            TableShape table,
            Projection projection,
            SortedStore store,
            ConsumerRecord<byte[], byte[]> record) {
        byte[] key;
        try {
            Map<String, Object> keyColumns = ChangeEventJson.keyFromBytes(record.key());
            List<Object> parts = new ArrayList<>(table.key().size());
            for (String column : table.key()) {
                parts.add(projection.keyPart(column, keyColumns.get(column)));
            }
            key = SortKeys.of(parts);
        } catch (RuntimeException notAKey) {
            unreadable.merge(table.qualified(), 1L, Long::sum);
            return;
        }
        String offset = record.partition() + "@" + record.offset();
        if (record.value() == null) {
            store.put(key, new SortedStore.StoredRow(offset, true, Map.of()));
            return;
        }
        ChangeEvent event;
        try {
            event = ChangeEventJson.fromBytes(record.value());
        } catch (RuntimeException notAnEnvelope) {
            unreadable.merge(table.qualified(), 1L, Long::sum);
            return;
        }
        String position = event.source().position();
        store.put(
                key,
                event.op() == Op.DELETE
                        ? new SortedStore.StoredRow(position, true, Map.of())
                        : new SortedStore.StoredRow(
                                position, false, projection.ofSink(event.after())));
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "changeflow-verify");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void close() {
        consumers.values().forEach(KafkaConsumer::close);
    }
}
