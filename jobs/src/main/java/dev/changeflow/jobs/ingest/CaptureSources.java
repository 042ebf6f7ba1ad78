package dev.changeflow.jobs.ingest;

import dev.changeflow.cdc.log.mysql.MySqlLogSource;
import dev.changeflow.cdc.log.mysql.config.MySqlLogSourceConfig;
import dev.changeflow.cdc.log.mysql.config.MySqlLogSourceOptions;
import dev.changeflow.cdc.log.postgres.PostgresLogSource;
import dev.changeflow.cdc.log.postgres.config.PostgresLogSourceConfig;
import dev.changeflow.cdc.log.postgres.config.PostgresLogSourceOptions;
import dev.changeflow.cdc.query.QuerySource;
import dev.changeflow.cdc.query.config.QueryDialect;
import dev.changeflow.cdc.query.config.QuerySourceConfig;
import dev.changeflow.cdc.query.config.QuerySourceOptions;
import dev.changeflow.cdc.trigger.TriggerSource;
import dev.changeflow.cdc.trigger.TriggerSourceConfig;
import dev.changeflow.cdc.trigger.TriggerSourceOptions;
import dev.changeflow.jobs.ingest.IngestOptions.CaptureMethod;
import dev.changeflow.jobs.ingest.IngestOptions.SourceKind;
import dev.changeflow.jobs.sinks.ChangeTopics;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.PrimaryKeyResolver;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.types.Either;

import javax.annotation.Nullable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the ingest job's CDC source, and what the job needs to know about it, from options: the
 * one switch from {@code --source} (the database) and {@code --method} (log, trigger, query) to a
 * source builder. Every method yields the same envelope, topics and record keys.
 */
public final class CaptureSources {

    /**
     * A source ready to run.
     *
     * @param source the change events and dead letters
     * @param primaryKeys the key columns of each captured table
     * @param topics the change topics of the tables known at start
     * @param identity names this capture (database and slot or server id), unique per job
     * @param rowStates whether the source reads row states rather than changes (query-based), so
     *     the job completes them into envelopes ({@link CompleteImages})
     */
    record Capture(
            Source<Either<DeadLetter, ChangeEvent>, ?, ?> source,
            PrimaryKeyResolver primaryKeys,
            List<String> topics,
            String identity,
            boolean rowStates) {}

    private CaptureSources() {}

    /** The options of the given source and method, for {@code --help} and the README. */
    public static List<ConfigOption<?>> options(SourceKind kind, CaptureMethod method) {
        switch (method) {
            case LOG:
                return kind == SourceKind.POSTGRES
                        ? PostgresLogSourceOptions.all()
                        : MySqlLogSourceOptions.all();
            case TRIGGER:
                return withoutDialect(TriggerSourceOptions.all(), TriggerSourceOptions.DIALECT);
            case QUERY:
                return withoutDialect(QuerySourceOptions.all(), QuerySourceOptions.DIALECT);
            default:
                throw new IllegalArgumentException("no " + method + " source for " + kind);
        }
    }

    /**
     * Every source option, grouped as {@code --help} and the README show them: the heading names
     * the {@code --source} / {@code --method} a group belongs to.
     */
    public static Map<String, List<ConfigOption<?>>> optionGroups() {
        Map<String, List<ConfigOption<?>>> groups = new LinkedHashMap<>();
        for (SourceKind kind : SourceKind.values()) {
            groups.put(
                    "Log source options (--source " + kind.name().toLowerCase() + ")",
                    options(kind, CaptureMethod.LOG));
        }
        groups.put(
                "Trigger source options (--method trigger)",
                options(SourceKind.POSTGRES, CaptureMethod.TRIGGER));
        groups.put(
                "Query source options (--method query)",
                options(SourceKind.POSTGRES, CaptureMethod.QUERY));
        return groups;
    }

    /**
     * Checks the database (preflight), reads the captured tables' primary keys and builds the
     * source.
     *
     * @throws dev.changeflow.cdc.log.CdcSetupException naming what is missing or wrong
     */
    static Capture create(Configuration options, String topicPrefix) {
        SourceKind kind = options.get(IngestOptions.SOURCE);
        CaptureMethod method = options.get(IngestOptions.METHOD);
        switch (method) {
            case LOG:
                return kind == SourceKind.POSTGRES
                        ? postgres(options, topicPrefix)
                        : mysql(options, topicPrefix);
            case TRIGGER:
                return trigger(options, kind, topicPrefix);
            case QUERY:
                return query(options, kind, topicPrefix);
            default:
                throw new IllegalArgumentException("no " + method + " source for " + kind);
        }
    }

    private static Capture postgres(Configuration options, String topicPrefix) {
        PostgresLogSource.Builder builder = PostgresLogSource.builder().options(options);
        PostgresLogSourceConfig config = builder.config();
        Map<String, List<String>> keys = builder.primaryKeys();
        return new Capture(
                builder.buildWithDeadLetters(),
                PrimaryKeyResolver.byTable(keys),
                topics(topicPrefix, keys, config.database()),
                config.database() + "-" + config.slotName(),
                false);
    }

    private static Capture mysql(Configuration options, String topicPrefix) {
        MySqlLogSource.Builder builder = MySqlLogSource.builder().options(options);
        MySqlLogSourceConfig config = builder.config();
        Map<String, List<String>> keys = builder.primaryKeys();
        String databases = String.join("-", config.databaseList());
        String serverIds = config.serverIds() == null ? "auto" : config.serverIds().toString();
        return new Capture(
                builder.buildWithDeadLetters(),
                PrimaryKeyResolver.byTable(keys),
                topics(topicPrefix, keys, null),
                databases + "-" + serverIds,
                false);
    }

    private static Capture trigger(Configuration options, SourceKind kind, String topicPrefix) {
        Configuration conf = new Configuration(options);
        conf.set(
                TriggerSourceOptions.DIALECT,
                kind == SourceKind.POSTGRES
                        ? TriggerSourceOptions.DialectKind.POSTGRES
                        : TriggerSourceOptions.DialectKind.MYSQL);
        TriggerSource.Builder builder = TriggerSource.builder().options(conf);
        TriggerSourceConfig config = builder.config();
        Map<String, List<String>> keys = builder.primaryKeys();
        return new Capture(
                builder.buildWithDeadLetters(),
                PrimaryKeyResolver.byTable(keys),
                topics(topicPrefix, keys, kind == SourceKind.POSTGRES ? config.database() : null),
                config.database() + "-trigger-" + config.auditTable(),
                false);
    }

    private static Capture query(Configuration options, SourceKind kind, String topicPrefix) {
        Configuration conf = new Configuration(options);
        conf.set(
                QuerySourceOptions.DIALECT,
                kind == SourceKind.POSTGRES ? QueryDialect.POSTGRES : QueryDialect.MARIADB);
        QuerySource.Builder builder = QuerySource.builder().options(conf);
        QuerySourceConfig config = builder.config();
        Map<String, List<String>> keys = builder.primaryKeys();
        return new Capture(
                builder.buildWithDeadLetters(),
                PrimaryKeyResolver.byTable(keys),
                topics(topicPrefix, keys, kind == SourceKind.POSTGRES ? config.database() : null),
                config.database() + "-query",
                true);
    }

    /**
     * The change topic of each table.
     *
     * @param keys the tables as {@code namespace.table}: PostgreSQL schema or MariaDB database
     * @param database the PostgreSQL database, null for MariaDB/MySQL (no schemas)
     */
    private static List<String> topics(
            String topicPrefix, Map<String, List<String>> keys, @Nullable String database) {
        List<String> topics = new ArrayList<>();
        for (String table : keys.keySet()) {
            int dot = table.indexOf('.');
            String namespace = table.substring(0, dot);
            String name = table.substring(dot + 1);
            topics.add(
                    database == null
                            ? ChangeTopics.topic(topicPrefix, namespace, null, name)
                            : ChangeTopics.topic(topicPrefix, database, namespace, name));
        }
        return topics;
    }

    /** The source's options without the one the ingest job sets from {@code --source}. */
    private static List<ConfigOption<?>> withoutDialect(
            List<ConfigOption<?>> options, ConfigOption<?> dialect) {
        List<ConfigOption<?>> rest = new ArrayList<>(options);
        rest.remove(dialect);
        return rest;
    }
}
