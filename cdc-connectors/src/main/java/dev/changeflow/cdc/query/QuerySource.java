package dev.changeflow.cdc.query;

import dev.changeflow.cdc.config.SourceBuilder;
import dev.changeflow.cdc.query.config.QueryDialect;
import dev.changeflow.cdc.query.config.QuerySourceConfig;
import dev.changeflow.cdc.query.config.QuerySourceOptions;
import dev.changeflow.cdc.query.config.QueryStartupMode;
import dev.changeflow.cdc.query.config.TablePlan;
import dev.changeflow.cdc.query.preflight.QueryPreflight;
import dev.changeflow.cdc.query.reader.EventEmitter;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.types.Either;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The query-based CDC source for PostgreSQL and MariaDB/MySQL: polls each table on an incrementing
 * or last-modified timestamp column, reading only rows below a commit-safe horizon, and emits
 * Changeflow {@link ChangeEvent}s with connector {@code query}.
 *
 * <pre>{@code
 * Source<ChangeEvent, ?, ?> source =
 *         QuerySource.builder()
 *                 .dialect(QueryDialect.POSTGRES)
 *                 .hostname("localhost").port(5432).database("shop")
 *                 .username("cdc").password("secret")
 *                 .tables("public.orders:incrementing=id;public.customers:timestamp=updated_at,id")
 *                 .build();
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "query-cdc");
 * }</pre>
 *
 * <p>{@link Builder#build()} runs {@link QueryPreflight}: it fails fast naming the problem and the
 * fix (login, the privilege to see other sessions' transactions, missing tables, keys, columns or
 * indexes). Differences from the log envelope: updates carry no {@code before} ({@link
 * ChangeEvent#updateWithoutBefore}), {@code c} and {@code u} are told apart only with a created or
 * version column, hard deletes come from a periodic key scan with the key columns as {@code
 * before}.
 */
public final class QuerySource {

    private QuerySource() {}

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds the source from a configuration holding {@link QuerySourceOptions}. */
    public static Source<ChangeEvent, ?, ?> fromConfiguration(Configuration options) {
        return builder().options(options).build();
    }

    /** Builder of {@link QuerySource}; every setter sets one {@link QuerySourceOptions} option. */
    public static final class Builder extends SourceBuilder<Builder> {

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /** {@link QuerySourceOptions#DIALECT}. */
        public Builder dialect(QueryDialect dialect) {
            conf.set(QuerySourceOptions.DIALECT, dialect);
            return this;
        }

        /** {@link QuerySourceOptions#DATABASE}. */
        public Builder database(String database) {
            conf.set(QuerySourceOptions.DATABASE, database);
            return this;
        }

        /** {@link QuerySourceOptions#TABLES}: each table's mode. */
        public Builder tables(String specs) {
            conf.set(QuerySourceOptions.TABLES, specs);
            return this;
        }

        /** {@link QuerySourceOptions#STARTUP_MODE}. */
        public Builder startupMode(QueryStartupMode mode) {
            conf.set(QuerySourceOptions.STARTUP_MODE, mode);
            return this;
        }

        /** {@link QuerySourceOptions#POLL_INTERVAL}. */
        public Builder pollInterval(Duration interval) {
            conf.set(QuerySourceOptions.POLL_INTERVAL, interval);
            return this;
        }

        /** {@link QuerySourceOptions#BATCH_SIZE}. */
        public Builder batchSize(int rows) {
            conf.set(QuerySourceOptions.BATCH_SIZE, rows);
            return this;
        }

        /** {@link QuerySourceOptions#HORIZON_MARGIN}. */
        public Builder horizonMargin(Duration margin) {
            conf.set(QuerySourceOptions.HORIZON_MARGIN, margin);
            return this;
        }

        /** {@link QuerySourceOptions#SOFT_DELETE_COLUMN}. */
        public Builder softDeleteColumn(String column) {
            conf.set(QuerySourceOptions.SOFT_DELETE_COLUMN, column);
            return this;
        }

        /** {@link QuerySourceOptions#CREATED_COLUMN}. */
        public Builder createdColumn(String column) {
            conf.set(QuerySourceOptions.CREATED_COLUMN, column);
            return this;
        }

        /** {@link QuerySourceOptions#VERSION_COLUMN}. */
        public Builder versionColumn(String column) {
            conf.set(QuerySourceOptions.VERSION_COLUMN, column);
            return this;
        }

        /** {@link QuerySourceOptions#DELETE_SCAN_INTERVAL}. */
        public Builder deleteScanInterval(Duration interval) {
            conf.set(QuerySourceOptions.DELETE_SCAN_INTERVAL, interval);
            return this;
        }

        /** {@link QuerySourceOptions#REQUIRE_INDEX}. */
        public Builder requireIndex(boolean required) {
            conf.set(QuerySourceOptions.REQUIRE_INDEX, required);
            return this;
        }

        /**
         * Validates the options, runs the preflight against the server and builds the source.
         *
         * @throws dev.changeflow.cdc.log.CdcSetupException naming the option or database problem
         */
        public Source<ChangeEvent, ?, ?> build() {
            return build(EventEmitter.changes());
        }

        /**
         * Like {@link #build()}, but a row that cannot be converted to the envelope comes out as a
         * {@link DeadLetter} (left) instead of failing the job.
         */
        public Source<Either<DeadLetter, ChangeEvent>, ?, ?> buildWithDeadLetters() {
            return build(EventEmitter.withDeadLetters());
        }

        /**
         * The polled tables ({@code schema.table} or {@code db.table}) with their primary key
         * columns, read from the database.
         */
        public Map<String, List<String>> primaryKeys() {
            return new QueryPreflight(config()).primaryKeys();
        }

        /** The options given so far, validated. */
        public QuerySourceConfig config() {
            return QuerySourceConfig.from(conf);
        }

        private <T> QueryPollingSource<T> build(EventEmitter<T> emitter) {
            QuerySourceConfig config = config();
            Map<String, TablePlan> plans = new QueryPreflight(config).run();
            return new QueryPollingSource<>(config, plans, emitter);
        }
    }
}
