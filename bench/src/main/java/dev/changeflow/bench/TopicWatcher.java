package dev.changeflow.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Kafka consumer on one topic, from its end at creation on, in its own thread: counts records,
 * notes when the first arrived and hands each to a handler with its arrival time. Fetches are
 * answered as soon as data is there ({@code fetch.max.wait.ms} 5), so the consumer adds little to a
 * measured latency.
 */
final class TopicWatcher implements AutoCloseable {

    /** Gets each record with the {@link System#nanoTime()} its poll returned. */
    interface Handler {
        void record(ConsumerRecord<byte[], byte[]> record, long arrivalNanos);
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Handler handler;
    private final AtomicLong count = new AtomicLong();
    private volatile long firstNanos;
    private long target = Long.MAX_VALUE;
    private volatile long reachedNanos;
    private volatile boolean running = true;
    private volatile RuntimeException failure;
    private final Thread thread;

    /**
     * @param isolation {@code read_committed} or {@code read_uncommitted}
     * @param handler gets every record, or null
     */
    TopicWatcher(String bootstrap, String topic, String isolation, Handler handler) {
        Map<String, Object> conf = new HashMap<>();
        conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        conf.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        conf.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        conf.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        conf.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        conf.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        this.consumer =
                new KafkaConsumer<>(conf, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.handler = handler;
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        for (TopicPartition p : partitions) {
            consumer.position(p); // resolve the end now, not at the first poll
        }
        thread = new Thread(this::loop, "watch-" + topic + "-" + isolation);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                long now = System.nanoTime();
                if (firstNanos == 0) {
                    firstNanos = now;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    if (handler != null) {
                        handler.record(record, now);
                    }
                }
                long total = count.addAndGet(records.count());
                synchronized (this) {
                    if (total >= target && reachedNanos == 0) {
                        reachedNanos = now;
                    }
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    long count() {
        check();
        return count.get();
    }

    /** When the first record arrived, 0 if none yet. */
    long firstNanos() {
        return firstNanos;
    }

    /**
     * Waits until {@code expected} records arrived; returns the {@link System#nanoTime()} of the
     * poll that brought the last of them (now, if they were there already), or -1 on timeout.
     */
    long awaitCount(long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            if (count() >= expected) {
                return System.nanoTime();
            }
            reachedNanos = 0;
            target = expected;
        }
        while (System.nanoTime() < deadline) {
            long reached = reachedNanos;
            if (reached != 0) {
                return reached;
            }
            check();
            Thread.sleep(1);
        }
        return -1;
    }

    private void check() {
        if (failure != null) {
            throw new IllegalStateException("Kafka consumer failed", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
