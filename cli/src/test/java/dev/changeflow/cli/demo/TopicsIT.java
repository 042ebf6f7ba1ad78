package dev.changeflow.cli.demo;

import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.KafkaServer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo counts committed records of transactional topics exactly, tombstones aside. */
@LocalStackTest(services = Service.KAFKA)
class TopicsIT {

    @Test
    void countsCommittedRecordsOnly(KafkaServer kafka) throws Exception {
        String topic = "topics-it";
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        try (var producer =
                new KafkaProducer<>(
                        Map.<String, Object>of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                "topics-it"),
                        new StringSerializer(),
                        new StringSerializer())) {
            producer.initTransactions();
            for (int t = 0; t < 3; t++) {
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, t == 1 ? null : "v" + i));
                }
                producer.commitTransaction();
            }
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "aborted", "x"));
            producer.flush();
            producer.abortTransaction();
        }
        try (Topics topics = new Topics(kafka.bootstrapServers())) {

            assertThat(topics.count(topic)).isEqualTo(20);
            assertThat(
                            topics.endOfRecords(topic).values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum())
                    .isGreaterThanOrEqualTo(30);
        }
    }
}
