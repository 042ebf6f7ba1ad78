package dev.changeflow.localstack;

import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.KafkaServer;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@LocalStackTest(services = Service.KAFKA)
class KafkaServerIT {

    @Test
    void producesAndConsumesARecord(KafkaServer kafka) throws Exception {
        try (var admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic("it.kafka.plain", 2, (short) 1))).all().get();
        }
        try (var producer = producer(kafka, Map.of())) {
            producer.send(new ProducerRecord<>("it.kafka.plain", "k1", "v1")).get();
        }
        assertThat(consume(kafka, "it.kafka.plain", "read_uncommitted", 1))
                .extracting(r -> r.key() + "=" + r.value())
                .containsExactly("k1=v1");
    }

    @Test
    void transactionsCommitAndAbort(KafkaServer kafka) throws Exception {
        try (var producer =
                producer(kafka, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-kafka-txn"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("it.kafka.txn", "a", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("it.kafka.txn", "b", "committed"));
            producer.commitTransaction();
        }
        assertThat(consume(kafka, "it.kafka.txn", "read_committed", 1))
                .extracting(ConsumerRecord::value)
                .containsExactly("committed");
    }

    /**
     * The broker deletes by record timestamp, so the tests' broker must do so within a test: a
     * record stamped 2001 is gone after one retention pass, a record stamped now stays.
     */
    @Test
    void retentionDeletesRecordsStampedWithAnOldTimeAtTheNextPass(KafkaServer kafka)
            throws Exception {
        String topic = "it.kafka.retention";
        try (var admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        long y2001 = 978_307_200_000L;
        try (var producer = producer(kafka, Map.of())) {
            producer.send(new ProducerRecord<>(topic, 0, y2001, "old", "2001")).get();
            producer.send(new ProducerRecord<>(topic, 0, null, "new", "now")).get();
        }
        kafka.awaitRetentionPass(Duration.ofSeconds(30));
        assertThat(consume(kafka, topic, "read_uncommitted", 1))
                .extracting(r -> r.key() + "=" + r.value())
                .containsExactly("new=now");
    }

    private static KafkaProducer<String, String> producer(
            KafkaServer kafka, Map<String, Object> extra) {
        Map<String, Object> conf = new java.util.HashMap<>(extra);
        conf.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        conf.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(conf, new StringSerializer(), new StringSerializer());
    }

    private static List<ConsumerRecord<String, String>> consume(
            KafkaServer kafka, String topic, String isolation, int atLeast) {
        Map<String, Object> conf =
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "it-" + topic + "-" + isolation,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        isolation);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (var consumer =
                new KafkaConsumer<>(conf, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            // keep polling a little after the expected count, so that extra records would show
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                if (records.size() >= atLeast && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + 1000;
                }
            }
        }
        return records;
    }
}
