package dev.changeflow.jobs.ingest;

import dev.changeflow.cdc.log.mysql.MySqlLogSource;
import dev.changeflow.cdc.log.mysql.config.MySqlLogSourceConfig;
import dev.changeflow.cdc.log.mysql.config.MySqlLogSourceOptions;
import dev.changeflow.cdc.log.postgres.PostgresLogSource;
import dev.changeflow.cdc.log.postgres.config.PostgresLogSourceConfig;
import dev.changeflow.cdc.log.postgres.config.PostgresLogSourceOptions;
import dev.changeflow.jobs.sinks.ChangeTopics;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.PrimaryKeyResolver;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.types.Either;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds the ingest job's CDC source, and what the job needs to know about it, from options. */
public final class CaptureSources {

    /**
     * A source ready to run.
     *
     * @param source the change events and dead letters
     * @param primaryKeys the key columns of each captured table
     * @param topics the change topics of the tables known at start
     * @param identity names this capture (database and slot or server id), unique per job
     */
    record Capture(
            Source<Either<DeadLetter, ChangeEvent>, ?, ?> source,
            PrimaryKeyResolver primaryKeys,
            List<String> topics,
            String identity) {}

    private CaptureSources() {}

    /** The options of the given source, for {@code --help} and the README. */
    public static List<ConfigOption<?>> options(IngestOptions.SourceKind kind) {
        switch (kind) {
            case POSTGRES:
                return PostgresLogSourceOptions.all();
            case MYSQL:
                return MySqlLogSourceOptions.all();
            default:
                throw new IllegalArgumentException("no log source for " + kind);
        }
    }

    /**
     * Checks the database (preflight), reads the captured tables' primary keys and builds the
     * source.
     *
     * @throws dev.changeflow.cdc.log.CdcSetupException naming what is missing or wrong
     */
    static Capture create(Configuration options, String topicPrefix) {
        IngestOptions.SourceKind kind = options.get(IngestOptions.SOURCE);
        switch (kind) {
            case POSTGRES:
                return postgres(options, topicPrefix);
            case MYSQL:
                return mysql(options, topicPrefix);
            default:
                throw new IllegalArgumentException("no log source for " + kind);
        }
    }

    private static Capture postgres(Configuration options, String topicPrefix) {
        PostgresLogSource.Builder builder = PostgresLogSource.builder().options(options);
        PostgresLogSourceConfig config = builder.config();
        Source<Either<DeadLetter, ChangeEvent>, ?, ?> source = builder.buildWithDeadLetters();
        Map<String, List<String>> keys = builder.primaryKeys();
        List<String> topics = new ArrayList<>();
        for (String table : keys.keySet()) {
            int dot = table.indexOf('.');
            topics.add(
                    ChangeTopics.topic(
                            topicPrefix,
                            config.database(),
                            table.substring(0, dot),
                            table.substring(dot + 1)));
        }
        return new Capture(
                source,
                PrimaryKeyResolver.byTable(keys),
                topics,
                config.database() + "-" + config.slotName());
    }

    private static Capture mysql(Configuration options, String topicPrefix) {
        MySqlLogSource.Builder builder = MySqlLogSource.builder().options(options);
        MySqlLogSourceConfig config = builder.config();
        Source<Either<DeadLetter, ChangeEvent>, ?, ?> source = builder.buildWithDeadLetters();
        Map<String, List<String>> keys = builder.primaryKeys();
        List<String> topics = new ArrayList<>();
        for (String table : keys.keySet()) {
            int dot = table.indexOf('.');
            topics.add(
                    ChangeTopics.topic(
                            topicPrefix, table.substring(0, dot), null, table.substring(dot + 1)));
        }
        String databases = String.join("-", config.databaseList());
        String serverIds = config.serverIds() == null ? "auto" : config.serverIds().toString();
        return new Capture(
                source, PrimaryKeyResolver.byTable(keys), topics, databases + "-" + serverIds);
    }
}
