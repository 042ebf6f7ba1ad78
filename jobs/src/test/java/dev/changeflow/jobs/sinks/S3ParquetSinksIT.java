package dev.changeflow.jobs.sinks;

import dev.changeflow.jobs.FailOnceAfterCheckpoint;
import dev.changeflow.jobs.MiniClusters;
import dev.changeflow.jobs.sinks.S3ParquetSinks.S3Access;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.S3Server;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Parquet FileSink against a real S3 server: the job fails mid-stream after part files were
 * committed and others were in progress, restarts from its last checkpoint, and the committed files
 * then hold every record exactly once, each in the {@code dt=/hour=} bucket of its event time.
 */
@LocalStackTest(services = Service.S3)
class S3ParquetSinksIT {

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final int INPUTS = 1_200;

    /** 15 s of event time per record: 5 h from 22:00 on New Year's Eve, across midnight. */
    private static final Instant FIRST_EVENT = Instant.parse("2024-12-31T22:00:00Z");

    private static final long EVENT_STEP_MILLIS = 15_000;

    /** What the analytics job would archive. */
    public record Sale(long id, String sku, long amountCents, Instant eventTime) {}

    @Test
    void committedPartFilesHoldEveryRecordOnceInItsEventTimeBucket(S3Server s3) throws Exception {
        // S3Mock keeps its objects between test runs: a fresh prefix per run
        String prefix = "it/sales-" + System.currentTimeMillis() + "/";
        String bucket = S3Server.DEFAULT_BUCKET;
        S3ParquetSinks.initializeFileSystems(
                new Configuration(), S3Access.of(s3.endpoint(), s3.accessKey(), s3.secretKey()));

        StreamExecutionEnvironment env = MiniClusters.restartingEnvironment(2);
        DataStream<Sale> sales =
                env.fromSource(
                                new DataGeneratorSource<>(
                                        new Sales(),
                                        INPUTS,
                                        RateLimiterStrategy.perSecond(600),
                                        TypeInformation.of(Sale.class)),
                                WatermarkStrategy.noWatermarks(),
                                "sales")
                        .setParallelism(1)
                        .rebalance()
                        .map(new FailOnceAfterCheckpoint<Sale>("s3", INPUTS / 4, 30))
                        .returns(Sale.class);
        S3ParquetSinks.forReflectRecord(Sale.class)
                .basePath("s3://" + bucket + "/" + prefix)
                .eventTime(sale -> sale.eventTime().toEpochMilli())
                .addTo(sales, "sales-s3-sink");
        long started = System.nanoTime();
        env.execute("s3-parquet-it");
        long jobMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(FailOnceAfterCheckpoint.failed("s3")).as("the job failed mid-stream").isTrue();
        EventTimeBuckets<Sale> buckets = new EventTimeBuckets<>(s -> s.eventTime().toEpochMilli());
        List<Long> ids = new ArrayList<>();
        Map<String, Integer> perBucket = new TreeMap<>();
        int files = 0;
        int skipped = 0;
        try (S3Client client = client(s3)) {
            List<S3Object> objects =
                    client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).stream()
                            .flatMap(page -> page.contents().stream())
                            .toList();
            for (S3Object object : objects) {
                String key = object.key();
                String name = key.substring(key.lastIndexOf('/') + 1);
                if (name.startsWith("_") || name.startsWith(".")) {
                    skipped++;
                    continue;
                }
                files++;
                assertThat(name).startsWith("part-").endsWith(".parquet");
                String partition = key.substring(prefix.length(), key.lastIndexOf('/'));
                byte[] bytes =
                        client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
                for (GenericRecord record : ParquetFiles.read(bytes)) {
                    long id = (Long) record.get("id");
                    long eventTime = (Long) record.get("eventTime");
                    assertThat(eventTime).isEqualTo(eventTimeOf(id));
                    assertThat(partition)
                            .as("partition of sale %d", id)
                            .isEqualTo(buckets.bucketOf(eventTime));
                    assertThat(record.get("sku").toString()).isEqualTo("sku-" + id % 7);
                    ids.add(id);
                    perBucket.merge(partition, 1, Integer::sum);
                }
            }
        }

        assertThat(ids).as("no record twice").doesNotHaveDuplicates();
        assertThat(ids)
                .as("no record lost")
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.range(0, INPUTS).boxed().collect(Collectors.toList()));
        assertThat(perBucket)
                .containsOnlyKeys(
                        "dt=2024-12-31/hour=22",
                        "dt=2024-12-31/hour=23",
                        "dt=2025-01-01/hour=00",
                        "dt=2025-01-01/hour=01",
                        "dt=2025-01-01/hour=02")
                .allSatisfy((partition, count) -> assertThat(count).isEqualTo(240));
        System.out.printf(
                "s3: %d records in %d committed part files (%d in-progress objects skipped),"
                        + " %s, job %d ms%n",
                ids.size(), files, skipped, perBucket, jobMillis);
    }

    private static long eventTimeOf(long id) {
        return FIRST_EVENT.toEpochMilli() + id * EVENT_STEP_MILLIS;
    }

    /** Sale {@code i}, {@value #EVENT_STEP_MILLIS} ms of event time after sale {@code i - 1}. */
    static final class Sales implements GeneratorFunction<Long, Sale> {
        @Override
        public Sale map(Long index) {
            return new Sale(
                    index,
                    "sku-" + index % 7,
                    100 + index,
                    Instant.ofEpochMilli(eventTimeOf(index)));
        }
    }

    private static S3Client client(S3Server s3) {
        return S3Client.builder()
                .endpointOverride(URI.create(s3.endpoint()))
                .region(Region.of(s3.region()))
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }
}
