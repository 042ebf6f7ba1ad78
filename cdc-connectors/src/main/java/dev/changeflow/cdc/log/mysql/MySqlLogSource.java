package dev.changeflow.cdc.log.mysql;

import dev.changeflow.cdc.config.SourceBuilder;
import dev.changeflow.cdc.log.debezium.DeadLetteringDeserializer;
import dev.changeflow.cdc.log.debezium.DebeziumChangeEventDeserializer;
import dev.changeflow.cdc.log.mysql.config.MySqlLogSourceConfig;
import dev.changeflow.cdc.log.mysql.config.MySqlLogSourceOptions;
import dev.changeflow.cdc.log.mysql.config.StartupMode;
import dev.changeflow.cdc.log.mysql.preflight.MySqlPreflight;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.cdc.connectors.mysql.source.MySqlSource;
import org.apache.flink.cdc.connectors.mysql.source.MySqlSourceBuilder;
import org.apache.flink.cdc.connectors.mysql.table.StartupOptions;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.types.Either;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The MariaDB/MySQL log-based CDC source: Flink CDC's {@code MySqlSource} (lock-free, chunked,
 * parallel snapshot, then the binlog read as a replica) emitting Changeflow {@link ChangeEvent}s.
 *
 * <pre>{@code
 * Source<ChangeEvent, ?, ?> source =
 *         MySqlLogSource.builder()
 *                 .hostname("localhost").port(3306)
 *                 .username("cdc").password("secret")
 *                 .tableList("shop.orders", "shop.customers")
 *                 .serverId("5400-5403") // one id per parallel reader
 *                 .build();
 * env.enableCheckpointing(10_000);
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "mariadb-cdc").setParallelism(4);
 * }</pre>
 *
 * <p>{@link Builder#build()} runs {@link MySqlPreflight} (unless {@code preflight.enabled} is
 * false): it fails fast naming the problem (credentials, {@code log_bin}, {@code binlog_format},
 * {@code binlog_row_image}, missing privileges, missing tables or primary keys, a server time zone
 * other than option {@code server-time-zone}). The job fails at its start, naming option {@code
 * server-id}, when the server-id range holds fewer ids than the source's parallelism.
 */
public final class MySqlLogSource {

    private MySqlLogSource() {}

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds the source from a configuration holding {@link MySqlLogSourceOptions} (and {@code
     * debezium.*} properties), e.g. a SQL table's options.
     */
    public static Source<ChangeEvent, ?, ?> fromConfiguration(Configuration options) {
        return builder().options(options).build();
    }

    /**
     * Builder of {@link MySqlLogSource}; every setter sets one {@link MySqlLogSourceOptions}
     * option.
     */
    public static final class Builder extends SourceBuilder<Builder> {

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /** {@link MySqlLogSourceOptions#DATABASE_LIST}. */
        public Builder databaseList(String... databases) {
            conf.set(MySqlLogSourceOptions.DATABASE_LIST, Arrays.asList(databases));
            return this;
        }

        /** {@link MySqlLogSourceOptions#SERVER_ID}: {@code 5400} or {@code 5400-5403}. */
        public Builder serverId(String serverIds) {
            conf.set(MySqlLogSourceOptions.SERVER_ID, serverIds);
            return this;
        }

        /** {@link MySqlLogSourceOptions#SERVER_TIME_ZONE}. */
        public Builder serverTimeZone(String zoneId) {
            conf.set(MySqlLogSourceOptions.SERVER_TIME_ZONE, zoneId);
            return this;
        }

        /** {@link MySqlLogSourceOptions#STARTUP_MODE}. */
        public Builder startupMode(StartupMode startupMode) {
            conf.set(MySqlLogSourceOptions.STARTUP_MODE, startupMode);
            return this;
        }

        /**
         * {@link StartupMode#TIMESTAMP} from {@link
         * MySqlLogSourceOptions#STARTUP_TIMESTAMP_MILLIS}.
         */
        public Builder startupTimestamp(long epochMillis) {
            conf.set(MySqlLogSourceOptions.STARTUP_MODE, StartupMode.TIMESTAMP);
            conf.set(MySqlLogSourceOptions.STARTUP_TIMESTAMP_MILLIS, epochMillis);
            return this;
        }

        /** {@link MySqlLogSourceOptions#SPLIT_SIZE}. */
        public Builder splitSize(int splitSize) {
            conf.set(MySqlLogSourceOptions.SPLIT_SIZE, splitSize);
            return this;
        }

        /** {@link MySqlLogSourceOptions#HEARTBEAT_INTERVAL}. */
        public Builder heartbeatInterval(Duration interval) {
            conf.set(MySqlLogSourceOptions.HEARTBEAT_INTERVAL, interval);
            return this;
        }

        /** {@link MySqlLogSourceOptions#CONNECT_TIMEOUT}. */
        public Builder connectTimeout(Duration timeout) {
            conf.set(MySqlLogSourceOptions.CONNECT_TIMEOUT, timeout);
            return this;
        }

        /** {@link MySqlLogSourceOptions#PREFLIGHT}. */
        public Builder preflight(boolean enabled) {
            conf.set(MySqlLogSourceOptions.PREFLIGHT, enabled);
            return this;
        }

        /**
         * Extra Debezium connector properties; {@code decimal.handling.mode} may only be {@code
         * precise} (the default) or {@code string}, and {@code bigint.unsigned.handling.mode},
         * {@code binary.handling.mode} and {@code time.precision.mode} keep Changeflow's values.
         */
        public Builder debeziumProperties(Properties properties) {
            for (Map.Entry<Object, Object> entry : properties.entrySet()) {
                conf.setString(
                        MySqlLogSourceOptions.DEBEZIUM_PREFIX + entry.getKey(),
                        String.valueOf(entry.getValue()));
            }
            return this;
        }

        /**
         * Validates the options, runs the preflight against the server and builds the source.
         *
         * @throws dev.changeflow.cdc.log.CdcSetupException naming the option or database problem
         */
        public Source<ChangeEvent, ?, ?> build() {
            return build(new DebeziumChangeEventDeserializer(new MySqlPositions()));
        }

        /**
         * Like {@link #build()}, but a row that cannot be converted to the envelope comes out as a
         * {@link DeadLetter} (left) instead of failing the job; the ingest job writes those to its
         * dead-letter topic.
         */
        public Source<Either<DeadLetter, ChangeEvent>, ?, ?> buildWithDeadLetters() {
            return build(new DeadLetteringDeserializer(new MySqlPositions()));
        }

        /**
         * The captured tables ({@code db.table}) with their primary key columns, read from the
         * database, for keying each table's records and naming its topic.
         */
        public Map<String, List<String>> primaryKeys() {
            return new MySqlPreflight(MySqlLogSourceConfig.from(conf)).primaryKeys();
        }

        /** The options given so far, validated. */
        public MySqlLogSourceConfig config() {
            return MySqlLogSourceConfig.from(conf);
        }

        private <T> Source<T, ?, ?> build(DebeziumDeserializationSchema<T> deserializer) {
            MySqlLogSourceConfig config = MySqlLogSourceConfig.from(conf);
            if (config.preflight()) {
                new MySqlPreflight(config).run();
            }
            MySqlSourceBuilder<T> builder =
                    MySqlSource.<T>builder()
                            .hostname(config.hostname())
                            .port(config.port())
                            .username(config.username())
                            .password(config.password())
                            .databaseList(config.databaseList().toArray(new String[0]))
                            .tableList(config.tableList().toArray(new String[0]))
                            .serverTimeZone(config.serverTimeZone())
                            .splitSize(config.splitSize())
                            .heartbeatInterval(config.heartbeatInterval())
                            .connectTimeout(config.connectTimeout())
                            .startupOptions(startupOptions(config))
                            .debeziumProperties(config.debeziumProperties())
                            .deserializer(deserializer);
            if (config.serverIds() != null) {
                builder.serverId(config.serverIds().toString());
            }
            return new ServerIdCheckedSource<>(builder.build(), config.serverIds());
        }

        private static StartupOptions startupOptions(MySqlLogSourceConfig config) {
            switch (config.startupMode()) {
                case LATEST:
                    return StartupOptions.latest();
                case EARLIEST:
                    return StartupOptions.earliest();
                case TIMESTAMP:
                    return StartupOptions.timestamp(config.startupTimestampMillis());
                case SNAPSHOT_ONLY:
                    return StartupOptions.snapshot();
                default:
                    return StartupOptions.initial();
            }
        }
    }
}
