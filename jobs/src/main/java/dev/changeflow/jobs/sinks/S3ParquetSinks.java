package dev.changeflow.jobs.sinks;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.formats.parquet.ParquetBuilder;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

import org.apache.avro.Schema;
import org.apache.avro.reflect.ReflectData;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * Parquet files on S3 (or any Flink file system) for Changeflow's jobs, built one way: a {@link
 * FileSink} of the caller's record or POJO type, one part file per writer and bucket per
 * checkpoint, bucketed by event time ({@code dt=YYYY-MM-DD/hour=HH}, {@link EventTimeBuckets}).
 *
 * <p><b>Exactly-once.</b> Parquet is a bulk format, so part files roll on every checkpoint ({@link
 * OnCheckpointRollingPolicy}) and are committed (on S3: their multipart uploads completed) only
 * when the checkpoint completes. After a failure the job resumes from its last checkpoint: what the
 * failed attempt wrote after it is never committed, and the replay writes it again. Readers must
 * skip in-progress files, whose names start with {@code .} or {@code _}: uncommitted data lives in
 * open multipart uploads and {@code _part-...tmp_} objects (a real bucket wants a lifecycle rule
 * that aborts incomplete multipart uploads).
 *
 * <p><b>Schema.</b> Avro's reflection ({@link ReflectData.AllowNull}) derives the schema from the
 * class: fields of Java records (read through their accessors) and POJOs, object fields nullable,
 * primitives required; {@code Instant} becomes {@code timestamp-millis}, {@code LocalDate} {@code
 * date}, {@code LocalDateTime} {@code local-timestamp-millis}, {@code UUID} {@code uuid}. Files are
 * Snappy-compressed.
 *
 * <p><b>The s3:// file system.</b> On a cluster it is Flink's {@code s3-fs-hadoop} plugin (copy it
 * from {@code opt/} to {@code plugins/s3-fs-hadoop/}) configured in the cluster's {@code
 * config.yaml} ({@code s3.endpoint}, {@code s3.path.style.access}, {@code s3.access-key}, {@code
 * s3.secret-key}); it is not in the jobs' fat jar. In a local MiniCluster the plugin jar must be on
 * the classpath and {@link #initializeFileSystems} must run before the job is built.
 *
 * <pre>{@code
 * S3ParquetSinks.initializeFileSystems(config, S3Access.of(endpoint, accessKey, secretKey));
 * S3ParquetSinks.forReflectRecord(WindowResult.class)
 *         .basePath("s3://changeflow/analytics/window-results/")
 *         .eventTime(WindowResult::windowEndMillis)
 *         .addTo(results, "window-results-s3-sink");
 * }</pre>
 */
public final class S3ParquetSinks {

    public static final ConfigOption<String> S3_ENDPOINT =
            ConfigOptions.key("s3.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("S3 endpoint URL; unset for AWS");

    public static final ConfigOption<Boolean> S3_PATH_STYLE_ACCESS =
            ConfigOptions.key("s3.path.style.access")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("address buckets as endpoint/bucket, not bucket.endpoint");

    public static final ConfigOption<String> S3_ACCESS_KEY =
            ConfigOptions.key("s3.access-key")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("S3 access key; unset for AWS's default credentials chain");

    public static final ConfigOption<String> S3_SECRET_KEY =
            ConfigOptions.key("s3.secret-key")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("S3 secret key");

    public static final CompressionCodecName DEFAULT_COMPRESSION = CompressionCodecName.SNAPPY;
    public static final Duration DEFAULT_BUCKET_CHECK_INTERVAL = Duration.ofMinutes(1);

    /**
     * How to reach S3.
     *
     * @param endpoint endpoint URL such as {@code http://127.0.0.1:9090}, or null/blank for AWS
     * @param accessKey access key, or null/blank for AWS's default credentials chain
     * @param secretKey secret key, or null/blank with {@code accessKey}
     * @param pathStyleAccess whether to address buckets as {@code endpoint/bucket}, as
     *     S3-compatible servers usually want
     */
    public record S3Access(
            String endpoint, String accessKey, String secretKey, boolean pathStyleAccess) {

        public S3Access {
            if (isBlank(accessKey) != isBlank(secretKey)) {
                throw new IllegalArgumentException(
                        "S3 credentials need both an access key and a secret key");
            }
        }

        /** An S3-compatible endpoint with keys and path-style access; AWS when all are blank. */
        public static S3Access of(String endpoint, String accessKey, String secretKey) {
            return new S3Access(endpoint, accessKey, secretKey, !isBlank(endpoint));
        }

        /** Adds the {@code s3.*} keys that are set to {@code conf}. */
        public Configuration applyTo(Configuration conf) {
            if (!isBlank(endpoint)) {
                conf.set(S3_ENDPOINT, endpoint.strip());
            }
            conf.set(S3_PATH_STYLE_ACCESS, pathStyleAccess);
            if (!isBlank(accessKey)) {
                conf.set(S3_ACCESS_KEY, accessKey);
                conf.set(S3_SECRET_KEY, secretKey);
            }
            return conf;
        }

        @Override
        public String toString() {
            return "S3Access{endpoint="
                    + (isBlank(endpoint) ? "AWS" : endpoint)
                    + ", accessKey="
                    + (isBlank(accessKey) ? "(default chain)" : accessKey)
                    + ", secretKey=(hidden), pathStyleAccess="
                    + pathStyleAccess
                    + "}";
        }

        private static boolean isBlank(String value) {
            return value == null || value.isBlank();
        }
    }

    private S3ParquetSinks() {}

    /**
     * Configures Flink's file systems of this JVM (the client, or a local MiniCluster's task
     * managers) with {@code config} plus {@code s3}'s keys. Flink reads file-system settings only
     * here, not from a job's or a MiniCluster's configuration; call it before building the job.
     * Plugins in the plugins directory ({@code FLINK_PLUGINS_DIR}, default {@code plugins}) stay
     * loaded.
     */
    public static void initializeFileSystems(Configuration config, S3Access s3) {
        Configuration conf = s3.applyTo(new Configuration(config));
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
    }

    /** A builder for a Parquet sink of {@code type}, its schema derived by Avro reflection. */
    public static <T> Builder<T> forReflectRecord(Class<T> type) {
        return new Builder<>(type);
    }

    /**
     * Parquet writers for {@code type}. The schema is derived here, so a class Avro cannot map
     * fails when the job is built, not on the cluster.
     */
    public static <T> ParquetWriterFactory<T> parquetWriters(
            Class<T> type, CompressionCodecName compression) {
        String schema = dataModel().getSchema(type).toString();
        ParquetBuilder<T> builder =
                out ->
                        AvroParquetWriter.<T>builder(out)
                                .withSchema(new Schema.Parser().parse(schema))
                                .withDataModel(dataModel())
                                .withCompressionCodec(compression)
                                .build();
        return new ParquetWriterFactory<>(builder);
    }

    /** The Avro schema the files of {@code type} get. */
    public static Schema schemaOf(Class<?> type) {
        return dataModel().getSchema(type);
    }

    private static ReflectData dataModel() {
        return new ReflectRecordData();
    }

    /** Builds a Parquet {@link FileSink} bucketed by event time. */
    public static final class Builder<T> {

        private final Class<T> type;
        private String basePath;
        private EventTimeBuckets.EventTime<T> eventTime;
        private ZoneId zone = ZoneOffset.UTC;
        private CompressionCodecName compression = DEFAULT_COMPRESSION;
        private String filePrefix = "part";
        private Duration bucketCheckInterval = DEFAULT_BUCKET_CHECK_INTERVAL;

        private Builder(Class<T> type) {
            this.type = Objects.requireNonNull(type, "type");
        }

        /** Where the buckets go, e.g. {@code s3://changeflow/analytics/orders/}. */
        public Builder<T> basePath(String basePath) {
            if (basePath == null || basePath.isBlank()) {
                throw new IllegalArgumentException("the Parquet sink's base path is blank");
            }
            this.basePath = basePath.strip();
            return this;
        }

        /** The event time of an element (epoch ms), which picks its {@code dt=/hour=} bucket. */
        public Builder<T> eventTime(EventTimeBuckets.EventTime<T> eventTime) {
            this.eventTime = Objects.requireNonNull(eventTime, "eventTime");
            return this;
        }

        /** The time zone of the buckets' dates and hours (default UTC). */
        public Builder<T> zone(ZoneId zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /** Parquet compression (default Snappy). */
        public Builder<T> compression(CompressionCodecName compression) {
            this.compression = Objects.requireNonNull(compression, "compression");
            return this;
        }

        /** The start of part file names (default {@code part}); they end in {@code .parquet}. */
        public Builder<T> filePrefix(String prefix) {
            if (prefix == null
                    || prefix.isBlank()
                    || prefix.startsWith(".")
                    || prefix.startsWith("_")) {
                throw new IllegalArgumentException(
                        "a part file prefix must not be blank nor start with '.' or '_' (readers"
                                + " skip those as in-progress): '"
                                + prefix
                                + "'");
            }
            this.filePrefix = prefix;
            return this;
        }

        /** How often idle buckets are checked (default 1 min). */
        public Builder<T> bucketCheckInterval(Duration interval) {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("bucket check interval must be positive");
            }
            this.bucketCheckInterval = interval;
            return this;
        }

        public FileSink<T> build() {
            if (basePath == null) {
                throw new IllegalStateException("the Parquet sink needs a base path");
            }
            if (eventTime == null) {
                throw new IllegalStateException("the Parquet sink needs an event time");
            }
            return FileSink.forBulkFormat(new Path(basePath), parquetWriters(type, compression))
                    .withBucketAssigner(new EventTimeBuckets<>(eventTime, zone))
                    .withRollingPolicy(OnCheckpointRollingPolicy.build())
                    .withOutputFileConfig(
                            OutputFileConfig.builder()
                                    .withPartPrefix(filePrefix)
                                    .withPartSuffix(".parquet")
                                    .build())
                    .withBucketCheckInterval(bucketCheckInterval.toMillis())
                    .build();
        }

        /** Writes {@code stream} with this sink, named and uid'd {@code uid}. */
        public DataStreamSink<T> addTo(DataStream<T> stream, String uid) {
            return stream.sinkTo(build()).uid(uid).name(uid);
        }
    }
}
