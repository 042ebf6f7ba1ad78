package dev.changeflow.cdc.trigger;

import dev.changeflow.cdc.config.SourceBuilder;
import dev.changeflow.cdc.jdbc.PrimaryKeys;
import dev.changeflow.cdc.trigger.TriggerSourceOptions.DialectKind;
import dev.changeflow.cdc.trigger.TriggerSourceOptions.StartupMode;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventTypeInfo;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.types.Either;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Trigger-based CDC for PostgreSQL and MariaDB/MySQL: triggers installed by {@link
 * TriggerInstaller} (or {@code changeflow triggers install}) write every row change of the captured
 * tables into an audit table; this source polls it in id order below a commit-safe horizon and
 * emits {@link ChangeEvent}s with {@code source.connector = trigger}, encoded like the log sources'
 * (see {@code NOTES-trigger.md} / ARCHITECTURE for the horizon rules).
 *
 * <pre>{@code
 * Source<ChangeEvent, ?, ?> source =
 *         TriggerSource.builder()
 *                 .dialect(DialectKind.POSTGRES)
 *                 .hostname("localhost").port(5432).database("shop")
 *                 .username("cdc").password("secret")
 *                 .tableList("public.orders", "public.customers")
 *                 .build();
 * env.enableCheckpointing(10_000); // audit rows are purged after checkpoints
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "trigger-cdc");
 * }</pre>
 */
public final class TriggerSource {

    private TriggerSource() {}

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds the source from a configuration holding {@link TriggerSourceOptions}. */
    public static Source<ChangeEvent, ?, ?> fromConfiguration(Configuration options) {
        return builder().options(options).build();
    }

    /** Builder of {@link TriggerSource}; every setter sets one {@link TriggerSourceOptions}. */
    public static final class Builder extends SourceBuilder<Builder> {

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /** {@link TriggerSourceOptions#DIALECT}. */
        public Builder dialect(DialectKind dialect) {
            conf.set(TriggerSourceOptions.DIALECT, dialect);
            return this;
        }

        /** {@link TriggerSourceOptions#DATABASE}. */
        public Builder database(String database) {
            conf.set(TriggerSourceOptions.DATABASE, database);
            return this;
        }

        /** {@link TriggerSourceOptions#AUDIT_TABLE}. */
        public Builder auditTable(String auditTable) {
            conf.set(TriggerSourceOptions.AUDIT_TABLE, auditTable);
            return this;
        }

        /** {@link TriggerSourceOptions#STARTUP_MODE}. */
        public Builder startupMode(StartupMode mode) {
            conf.set(TriggerSourceOptions.STARTUP_MODE, mode);
            return this;
        }

        /** {@link TriggerSourceOptions#POLL_INTERVAL}. */
        public Builder pollInterval(Duration interval) {
            conf.set(TriggerSourceOptions.POLL_INTERVAL, interval);
            return this;
        }

        /** {@link TriggerSourceOptions#BATCH_SIZE}. */
        public Builder batchSize(int rows) {
            conf.set(TriggerSourceOptions.BATCH_SIZE, rows);
            return this;
        }

        /** {@link TriggerSourceOptions#PURGE_ENABLED}. */
        public Builder purge(boolean enabled) {
            conf.set(TriggerSourceOptions.PURGE_ENABLED, enabled);
            return this;
        }

        /** {@link TriggerSourceOptions#PURGE_RETENTION}. */
        public Builder purgeRetention(Duration retention) {
            conf.set(TriggerSourceOptions.PURGE_RETENTION, retention);
            return this;
        }

        /** {@link TriggerSourceOptions#PREFLIGHT}. */
        public Builder preflight(boolean enabled) {
            conf.set(TriggerSourceOptions.PREFLIGHT, enabled);
            return this;
        }

        /**
         * Validates the options, checks that the triggers are installed (preflight) and builds the
         * source; a row that cannot be converted fails the job with a message naming the table and
         * column.
         *
         * @throws dev.changeflow.cdc.log.CdcSetupException naming the option or database problem
         */
        public Source<ChangeEvent, ?, ?> build() {
            return build(false, ChangeEventTypeInfo.INSTANCE);
        }

        /**
         * Like {@link #build()}, but a row that cannot be converted comes out as a {@link
         * DeadLetter} (left) holding the audit row as JSON, instead of failing the job.
         */
        public Source<Either<DeadLetter, ChangeEvent>, ?, ?> buildWithDeadLetters() {
            return build(
                    true,
                    new EitherTypeInfo<>(
                            TypeInformation.of(DeadLetter.class), ChangeEventTypeInfo.INSTANCE));
        }

        /** The captured tables ({@code schema.table} / {@code db.table}) with their key columns. */
        public Map<String, List<String>> primaryKeys() {
            TriggerSourceConfig config = config();
            TriggerDialect dialect = TriggerDialect.of(config);
            List<String> patterns =
                    config.tables().stream()
                            .map(t -> Pattern.quote(t.toString()))
                            .collect(Collectors.toList());
            return PrimaryKeys.read(
                    dialect::connect,
                    config.dialect() == DialectKind.POSTGRES
                            ? PrimaryKeys.Namespace.SCHEMA
                            : PrimaryKeys.Namespace.CATALOG,
                    patterns,
                    config.where());
        }

        /** The options given so far, validated. */
        public TriggerSourceConfig config() {
            return TriggerSourceConfig.from(conf);
        }

        private <T> Source<T, ?, ?> build(boolean deadLetters, TypeInformation<?> type) {
            TriggerSourceConfig config = config();
            if (config.preflight()) {
                new TriggerInstaller(config).check();
            }
            @SuppressWarnings("unchecked")
            TypeInformation<T> produced = (TypeInformation<T>) type;
            return new AuditTableSource<>(config, deadLetters, produced);
        }
    }
}
