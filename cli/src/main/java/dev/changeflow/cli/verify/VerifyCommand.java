package dev.changeflow.cli.verify;

import dev.changeflow.cdc.query.config.QueryDialect;
import dev.changeflow.cli.DatabaseOptions;
import dev.changeflow.jobs.sinks.S3ParquetSinks;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code changeflow verify}: compares database tables with what Kafka, Redis, Elasticsearch and S3
 * hold, by key range with checksums, and lists the rows that differ. Exit 0 when every sink holds
 * what the database holds, 1 when one differs, 2 when it cannot verify.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpWidth = 100,
        customSynopsis =
                "changeflow verify --hostname=HOST --username=USER [--database-name=DB]"
                        + " --table-list=TABLES --against=kafka,redis,elasticsearch,s3 [OPTIONS]",
        description = {
            "Compares tables with what the sinks hold: the change topics folded per key (read"
                    + " committed, as Flink SQL's debezium-json reads them), the views in Redis,"
                    + " documents in Elasticsearch, Parquet events on S3. Ranges of keys are"
                    + " compared by count and checksum; only ranges that differ are compared"
                    + " row by row. Rows that differ are read again until the sink has caught"
                    + " up (--wait); rows that changed meanwhile are reported as too recent.",
            "Exit status: 0 every sink holds what the database holds, 1 a difference, 2 cannot"
                    + " verify."
        })
public final class VerifyCommand implements Callable<Integer> {

    /** Sinks to compare with. */
    enum Sink {
        kafka,
        redis,
        elasticsearch,
        s3
    }

    @Mixin DatabaseOptions db;

    @Option(
            names = "--against",
            required = true,
            split = ",",
            paramLabel = "SINKS",
            description = "kafka, redis, elasticsearch, s3 (several: comma-separated).")
    List<Sink> against;

    @Option(
            names = "--kafka.bootstrap-servers",
            paramLabel = "HOST:PORT",
            description = "Kafka (for --against kafka).")
    String kafka;

    @Option(
            names = "--topic.prefix",
            defaultValue = "cdc",
            description = "The change topics' prefix, as for ingest (default ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(
            names = "--redis.uri",
            paramLabel = "URI",
            description = "Redis, e.g. redis://localhost:6379 (for --against redis).")
    String redis;

    @Option(
            names = "--view.key-prefix",
            defaultValue = "view",
            description = "The views' key prefix, as for the views job (default ${DEFAULT-VALUE}).")
    String viewKeyPrefix;

    @Option(
            names = "--elasticsearch.hosts",
            paramLabel = "URLS",
            description = "Elasticsearch, e.g. http://localhost:9200.")
    String elasticsearch;

    @Option(
            names = "--elasticsearch.index",
            paramLabel = "TABLE=INDEX",
            description =
                    "The index holding a table's rows as documents whose id is the key (repeatable).")
    Map<String, String> indices = new LinkedHashMap<>();

    @Option(
            names = "--s3.path",
            paramLabel = "TABLE=PATH",
            description =
                    "Where a table's Parquet events live, e.g. orders=s3://bucket/orders (repeatable).")
    Map<String, String> s3Paths = new LinkedHashMap<>();

    @Option(names = "--s3.endpoint", description = "An S3-compatible endpoint (blank: AWS).")
    String s3Endpoint;

    @Option(names = "--s3.access-key", description = "S3 access key.")
    String s3AccessKey;

    @Option(names = "--s3.secret-key", description = "S3 secret key.")
    String s3SecretKey;

    @Option(
            names = "--field",
            paramLabel = "TABLE.COLUMN=FIELD",
            description =
                    "A document or record field named other than its column, e.g. orders.id=orderId (repeatable).")
    Map<String, String> fields = new LinkedHashMap<>();

    @Option(
            names = "--ignore-column",
            paramLabel = "TABLE.COLUMN",
            description =
                    "A column not to compare, e.g. orders.status where a sink keeps the value a"
                            + " row had when it was counted (repeatable).")
    List<String> ignoredColumns = new ArrayList<>();

    @Option(
            names = "--wait",
            defaultValue = "10s",
            paramLabel = "DURATION",
            description =
                    "How long rows that differ may take to catch up (default ${DEFAULT-VALUE}).")
    String waitFor;

    @Option(
            names = "--range-rows",
            defaultValue = "10000",
            description = "Rows per checksummed key range (default ${DEFAULT-VALUE}).")
    int rangeRows;

    @Option(
            names = "--list",
            defaultValue = "20",
            paramLabel = "N",
            description = "Differing rows listed per table and sink (default ${DEFAULT-VALUE}).")
    int listed;

    @Option(
            names = "--state-dir",
            defaultValue = "changeflow-state/verify",
            description =
                    "Where the sinks' folded rows are kept while verifying (default ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() {
        List<Result> results;
        try {
            results = verification().run();
        } catch (picocli.CommandLine.ParameterException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            err.println("changeflow verify: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("changeflow verify: cannot verify: " + describe(e));
            return 2;
        }
        if (json) {
            Report.json(results, out);
        } else {
            Report.table(results, out);
        }
        return Report.ok(results) ? 0 : 1;
    }

    Verification verification() {
        QueryDialect kind = db.postgres() ? QueryDialect.POSTGRES : QueryDialect.MARIADB;
        Verification.Builder builder =
                Verification.builder()
                        .database(
                                kind,
                                db.hostname,
                                db.port(),
                                db.database(),
                                db.username(),
                                db.password())
                        .tables(db.tables())
                        .renamed(renamed(fields))
                        .ignored(ignored(ignoredColumns))
                        .rangeRows(rangeRows)
                        .listed(listed)
                        .waitFor(duration(waitFor))
                        .stateDir(stateDir)
                        .progress(err);
        for (Sink sink : against) {
            switch (sink) {
                case kafka:
                    builder.kafka(required(kafka, "--kafka.bootstrap-servers", sink), topicPrefix);
                    break;
                case redis:
                    builder.redis(required(redis, "--redis.uri", sink), viewKeyPrefix);
                    break;
                case elasticsearch:
                    required(indices.isEmpty() ? null : "", "--elasticsearch.index", sink);
                    builder.elasticsearch(
                            required(elasticsearch, "--elasticsearch.hosts", sink), indices);
                    break;
                default:
                    required(s3Paths.isEmpty() ? null : "", "--s3.path", sink);
                    S3ParquetSinks.initializeFileSystems(
                            new Configuration(),
                            S3ParquetSinks.S3Access.of(s3Endpoint, s3AccessKey, s3SecretKey));
                    builder.s3(s3Paths);
            }
        }
        return builder.build();
    }

    private static String required(String value, String option, Sink sink) {
        if (value == null) {
            throw new IllegalArgumentException("--against " + sink + " needs " + option);
        }
        return value;
    }

    static Map<String, Map<String, String>> renamed(Map<String, String> fields) {
        Map<String, Map<String, String>> byTable = new LinkedHashMap<>();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            int dot = field.getKey().lastIndexOf('.');
            if (dot <= 0) {
                throw new IllegalArgumentException(
                        "--field "
                                + field.getKey()
                                + "="
                                + field.getValue()
                                + ": write TABLE.COLUMN=FIELD, e.g. orders.id=orderId");
            }
            byTable.computeIfAbsent(field.getKey().substring(0, dot), t -> new LinkedHashMap<>())
                    .put(field.getKey().substring(dot + 1), field.getValue());
        }
        return byTable;
    }

    static Map<String, java.util.Set<String>> ignored(List<String> columns) {
        Map<String, java.util.Set<String>> byTable = new LinkedHashMap<>();
        for (String column : columns) {
            int dot = column.lastIndexOf('.');
            if (dot <= 0) {
                throw new IllegalArgumentException(
                        "--ignore-column " + column + ": write TABLE.COLUMN, e.g. orders.status");
            }
            byTable.computeIfAbsent(column.substring(0, dot), t -> new java.util.LinkedHashSet<>())
                    .add(column.substring(dot + 1));
        }
        return byTable;
    }

    static Duration duration(String text) {
        try {
            return org.apache.flink.util.TimeUtils.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--wait " + text + ": not a duration (e.g. 10s, 2min)", e);
        }
    }

    private static String describe(Throwable e) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = e; t != null && messages.size() < 3; t = t.getCause()) {
            if (t.getMessage() != null && !messages.contains(t.getMessage())) {
                messages.add(t.getMessage());
            }
        }
        return messages.isEmpty() ? e.toString() : String.join(": ", messages);
    }
}
