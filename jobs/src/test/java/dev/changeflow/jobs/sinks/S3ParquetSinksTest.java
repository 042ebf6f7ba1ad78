package dev.changeflow.jobs.sinks;

import dev.changeflow.jobs.sinks.S3ParquetSinks.S3Access;

import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.util.InstantiationUtil;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3ParquetSinksTest {

    /** What a job might write: a Java record with java.time fields and a nullable string. */
    public record Sale(
            long id,
            String sku,
            Long amountCents,
            double rate,
            boolean refunded,
            Instant eventTime,
            LocalDate businessDay,
            UUID requestId) {}

    @TempDir java.nio.file.Path dir;

    @Test
    void recordsWithJavaTimeFieldsGetLogicalTypesAndNullableObjects() {
        Schema schema = S3ParquetSinks.schemaOf(Sale.class);

        assertThat(schema.getField("id").schema().getType()).isEqualTo(Schema.Type.LONG);
        assertThat(schema.getField("refunded").schema().getType()).isEqualTo(Schema.Type.BOOLEAN);
        Schema sku = schema.getField("sku").schema();
        assertThat(sku.isNullable()).isTrue();
        assertThat(nonNull(schema.getField("eventTime").schema()).getLogicalType())
                .isEqualTo(LogicalTypes.timestampMillis());
        assertThat(nonNull(schema.getField("businessDay").schema()).getLogicalType())
                .isEqualTo(LogicalTypes.date());
        assertThat(nonNull(schema.getField("requestId").schema()).getLogicalType())
                .isEqualTo(LogicalTypes.uuid());
    }

    @Test
    void writesSnappyParquetThatReadsBack() throws Exception {
        Instant time = Instant.parse("2025-01-01T07:08:09.123Z");
        UUID request = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        List<Sale> sales =
                List.of(
                        new Sale(
                                1,
                                "book",
                                1250L,
                                0.5,
                                false,
                                time,
                                LocalDate.of(2025, 1, 1),
                                request),
                        new Sale(2, null, null, 1.0, true, time, null, null));
        // the factory travels to the task managers: write with a serialized copy
        BulkWriter.Factory<Sale> factory =
                InstantiationUtil.clone(
                        S3ParquetSinks.parquetWriters(Sale.class, CompressionCodecName.SNAPPY),
                        getClass().getClassLoader());
        Path file = new Path(dir.resolve("part-0.parquet").toUri());
        try (FSDataOutputStream out =
                FileSystem.getLocalFileSystem().create(file, FileSystem.WriteMode.OVERWRITE)) {
            BulkWriter<Sale> writer = factory.create(out);
            for (Sale sale : sales) {
                writer.addElement(sale);
            }
            writer.finish();
        }
        byte[] bytes = Files.readAllBytes(dir.resolve("part-0.parquet"));

        List<GenericRecord> read = ParquetFiles.read(bytes);

        assertThat(read).hasSize(2);
        GenericRecord first = read.get(0);
        assertThat(first.get("id")).isEqualTo(1L);
        assertThat(first.get("sku").toString()).isEqualTo("book");
        assertThat(first.get("amountCents")).isEqualTo(1250L);
        assertThat(first.get("eventTime")).isEqualTo(time.toEpochMilli());
        assertThat(first.get("businessDay")).isEqualTo((int) LocalDate.of(2025, 1, 1).toEpochDay());
        assertThat(first.get("requestId").toString()).isEqualTo(request.toString());
        GenericRecord second = read.get(1);
        assertThat(second.get("sku")).isNull();
        assertThat(second.get("amountCents")).isNull();
        assertThat(second.get("refunded")).isEqualTo(true);
        assertThat(ParquetFiles.footer(bytes).getBlocks().get(0).getColumns().get(0).getCodec())
                .isEqualTo(CompressionCodecName.SNAPPY);
    }

    @Test
    void theSinkNeedsAPathAndAnEventTimeAndSafeFileNames() {
        assertThat(
                        S3ParquetSinks.forReflectRecord(Sale.class)
                                .basePath("s3://changeflow/sales/")
                                .eventTime(sale -> sale.eventTime().toEpochMilli())
                                .build())
                .isNotNull();
        assertThatThrownBy(
                        () ->
                                S3ParquetSinks.forReflectRecord(Sale.class)
                                        .eventTime(sale -> sale.eventTime().toEpochMilli())
                                        .build())
                .hasMessageContaining("base path");
        assertThatThrownBy(
                        () ->
                                S3ParquetSinks.forReflectRecord(Sale.class)
                                        .basePath("s3://changeflow/sales/")
                                        .build())
                .hasMessageContaining("event time");
        assertThatThrownBy(() -> S3ParquetSinks.forReflectRecord(Sale.class).filePrefix("_part"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void s3AccessBecomesFlinksS3Keys() {
        Configuration conf =
                S3Access.of("http://127.0.0.1:9090", "changeflow", "changeflow-secret")
                        .applyTo(new Configuration());

        assertThat(conf.get(S3ParquetSinks.S3_ENDPOINT)).isEqualTo("http://127.0.0.1:9090");
        assertThat(conf.get(S3ParquetSinks.S3_PATH_STYLE_ACCESS)).isTrue();
        assertThat(conf.get(S3ParquetSinks.S3_ACCESS_KEY)).isEqualTo("changeflow");
        assertThat(conf.get(S3ParquetSinks.S3_SECRET_KEY)).isEqualTo("changeflow-secret");
        assertThat(conf.toMap()).containsEntry("s3.endpoint", "http://127.0.0.1:9090");

        Configuration aws = S3Access.of(null, "", null).applyTo(new Configuration());
        assertThat(aws.getOptional(S3ParquetSinks.S3_ENDPOINT)).isEmpty();
        assertThat(aws.get(S3ParquetSinks.S3_PATH_STYLE_ACCESS)).isFalse();
        assertThat(aws.getOptional(S3ParquetSinks.S3_ACCESS_KEY)).isEmpty();

        assertThat(S3Access.of("http://s3", "key", "t0p-s3cr3t").toString())
                .doesNotContain("t0p-s3cr3t");
        assertThatThrownBy(() -> S3Access.of("http://s3", "key", " "))
                .hasMessageContaining("access key and a secret key");
    }

    private static Schema nonNull(Schema schema) {
        return schema.getType() == Schema.Type.UNION
                ? schema.getTypes().stream()
                        .filter(s -> s.getType() != Schema.Type.NULL)
                        .findFirst()
                        .orElseThrow()
                : schema;
    }
}
