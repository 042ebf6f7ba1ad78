package dev.changeflow.cdc.log.postgres;

import dev.changeflow.cdc.config.SourceBuilder;
import dev.changeflow.cdc.log.debezium.DeadLetteringDeserializer;
import dev.changeflow.cdc.log.debezium.DebeziumChangeEventDeserializer;
import dev.changeflow.cdc.log.postgres.config.PostgresLogSourceConfig;
import dev.changeflow.cdc.log.postgres.config.PostgresLogSourceOptions;
import dev.changeflow.cdc.log.postgres.config.ReplicaIdentityMode;
import dev.changeflow.cdc.log.postgres.config.StartupMode;
import dev.changeflow.cdc.log.postgres.preflight.PostgresPreflight;
import dev.changeflow.cdc.log.postgres.reader.PostgresLogIncrementalSource;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.types.Either;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The PostgreSQL log-based CDC source: Flink CDC's incremental-snapshot {@code
 * PostgresIncrementalSource} (lock-free, chunked, parallel snapshot, then streaming through a
 * {@code pgoutput} replication slot) emitting Changeflow {@link ChangeEvent}s.
 *
 * <pre>{@code
 * Source<ChangeEvent, ?, ?> source =
 *         PostgresLogSource.builder()
 *                 .hostname("localhost").port(5432).database("shop")
 *                 .username("cdc").password("secret")
 *                 .tableList("public.orders", "public.customers")
 *                 .slotName("shop_orders")
 *                 .build();
 * env.enableCheckpointing(10_000); // the snapshot hands over to streaming on a checkpoint
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "postgres-cdc");
 * }</pre>
 *
 * <p>{@link Builder#build()} runs {@link PostgresPreflight} (unless {@code preflight.enabled} is
 * false): it fails fast naming the problem (credentials, {@code wal_level}, missing REPLICATION,
 * missing tables, tables without {@code REPLICA IDENTITY FULL}) and creates the publication for
 * exactly the captured tables. The slot is created by Flink CDC when the job starts; its confirmed
 * LSN advances only when a checkpoint completes (and, while the captured tables are idle, with the
 * server's keep-alive positions once heartbeats have been confirmed, see {@link
 * PostgresLogSourceOptions#HEARTBEAT_INTERVAL}).
 *
 * <p>The source is Flink CDC's with Changeflow's workarounds of upstream bugs ({@link
 * PostgresLogIncrementalSource}). Starting from a timestamp is not supported ({@link
 * Builder#startupTimestamp}).
 */
public final class PostgresLogSource {

    private PostgresLogSource() {}

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds the source from a configuration holding {@link PostgresLogSourceOptions} (and {@code
     * debezium.*} properties), e.g. a SQL table's options.
     */
    public static Source<ChangeEvent, ?, ?> fromConfiguration(Configuration options) {
        return builder().options(options).build();
    }

    /**
     * Builder of {@link PostgresLogSource}; every setter sets one {@link PostgresLogSourceOptions}
     * option.
     */
    public static final class Builder extends SourceBuilder<Builder> {

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /** {@link PostgresLogSourceOptions#DATABASE}. */
        public Builder database(String database) {
            conf.set(PostgresLogSourceOptions.DATABASE, database);
            return this;
        }

        /** {@link PostgresLogSourceOptions#SCHEMA_LIST}. */
        public Builder schemaList(String... schemas) {
            conf.set(PostgresLogSourceOptions.SCHEMA_LIST, Arrays.asList(schemas));
            return this;
        }

        /** {@link PostgresLogSourceOptions#SLOT_NAME}. */
        public Builder slotName(String slotName) {
            conf.set(PostgresLogSourceOptions.SLOT_NAME, slotName);
            return this;
        }

        /** {@link PostgresLogSourceOptions#PUBLICATION_NAME}. */
        public Builder publicationName(String publicationName) {
            conf.set(PostgresLogSourceOptions.PUBLICATION_NAME, publicationName);
            return this;
        }

        /** {@link PostgresLogSourceOptions#STARTUP_MODE}. */
        public Builder startupMode(StartupMode startupMode) {
            conf.set(PostgresLogSourceOptions.STARTUP_MODE, startupMode);
            return this;
        }

        /**
         * {@link PostgresLogSourceOptions#STARTUP_TIMESTAMP_MILLIS}: not supported, {@link
         * #build()} rejects it. PostgreSQL logical decoding cannot start at a point in time; use
         * {@link StartupMode#INITIAL} or {@link StartupMode#LATEST}, or restore from a checkpoint
         * or savepoint.
         */
        public Builder startupTimestamp(Instant timestamp) {
            conf.set(PostgresLogSourceOptions.STARTUP_TIMESTAMP_MILLIS, timestamp.toEpochMilli());
            return this;
        }

        /** {@link PostgresLogSourceOptions#SPLIT_SIZE}. */
        public Builder splitSize(int splitSize) {
            conf.set(PostgresLogSourceOptions.SPLIT_SIZE, splitSize);
            return this;
        }

        /** {@link PostgresLogSourceOptions#HEARTBEAT_INTERVAL}. */
        public Builder heartbeatInterval(Duration interval) {
            conf.set(PostgresLogSourceOptions.HEARTBEAT_INTERVAL, interval);
            return this;
        }

        /** {@link PostgresLogSourceOptions#REPLICA_IDENTITY}. */
        public Builder replicaIdentityMode(ReplicaIdentityMode mode) {
            conf.set(PostgresLogSourceOptions.REPLICA_IDENTITY, mode);
            return this;
        }

        /** {@link PostgresLogSourceOptions#PREFLIGHT}. */
        public Builder preflight(boolean enabled) {
            conf.set(PostgresLogSourceOptions.PREFLIGHT, enabled);
            return this;
        }

        /**
         * Extra Debezium connector properties (e.g. {@code slot.drop.on.stop}); {@code
         * decimal.handling.mode} may only be {@code precise} (the default) or {@code string}.
         */
        public Builder debeziumProperties(Properties properties) {
            for (Map.Entry<Object, Object> entry : properties.entrySet()) {
                conf.setString(
                        PostgresLogSourceOptions.DEBEZIUM_PREFIX + entry.getKey(),
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
            return build(new DebeziumChangeEventDeserializer(new PostgresPositions()));
        }

        /**
         * Like {@link #build()}, but a row that cannot be converted to the envelope comes out as a
         * {@link DeadLetter} (left) instead of failing the job; the ingest job writes those to its
         * dead-letter topic.
         */
        public Source<Either<DeadLetter, ChangeEvent>, ?, ?> buildWithDeadLetters() {
            return build(new DeadLetteringDeserializer(new PostgresPositions()));
        }

        /**
         * The captured tables ({@code schema.table}) with their primary key columns, read from the
         * database, for keying each table's records (see {@link
         * dev.changeflow.schemas.PrimaryKeyResolver#byTable}) and naming its topic.
         */
        public Map<String, List<String>> primaryKeys() {
            return new PostgresPreflight(PostgresLogSourceConfig.from(conf)).primaryKeys();
        }

        /** The options given so far, validated (database name, slot name, ...). */
        public PostgresLogSourceConfig config() {
            return PostgresLogSourceConfig.from(conf);
        }

        private <T> Source<T, ?, ?> build(DebeziumDeserializationSchema<T> deserializer) {
            PostgresLogSourceConfig config = PostgresLogSourceConfig.from(conf);
            if (config.preflight()) {
                new PostgresPreflight(config).run();
            }
            PostgresSourceBuilder<T> upstream =
                    PostgresSourceBuilder.PostgresIncrementalSource.<T>builder()
                            .hostname(config.hostname())
                            .port(config.port())
                            .database(config.database())
                            .username(config.username())
                            .password(config.password())
                            .schemaList(config.schemaList().toArray(new String[0]))
                            .tableList(config.tableList().toArray(new String[0]))
                            .slotName(config.slotName())
                            .decodingPluginName("pgoutput")
                            .splitSize(config.splitSize())
                            .heartbeatInterval(config.heartbeatInterval())
                            .startupOptions(startupOptions(config.startupMode()))
                            .debeziumProperties(config.debeziumProperties());
            return PostgresLogIncrementalSource.of(upstream, deserializer);
        }

        private static StartupOptions startupOptions(StartupMode mode) {
            switch (mode) {
                case LATEST:
                    return StartupOptions.latest();
                case SNAPSHOT_ONLY:
                    return StartupOptions.snapshot();
                default:
                    return StartupOptions.initial();
            }
        }
    }
}
