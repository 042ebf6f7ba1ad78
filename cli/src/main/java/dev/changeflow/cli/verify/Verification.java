package dev.changeflow.cli.verify;

import dev.changeflow.cdc.query.config.QueryDialect;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reconciles database tables with what sinks hold: the Java API behind {@code changeflow verify}
 * (the demo and the fault suite call it directly).
 *
 * <pre>{@code
 * List<Result> results = Verification.builder()
 *         .database(QueryDialect.POSTGRES, "localhost", 5432, "shop", "cdc", "secret")
 *         .tables(List.of("public.orders"))
 *         .kafka("localhost:9092", "cdc")
 *         .build()
 *         .run();
 * }</pre>
 */
public final class Verification {

    private final Builder b;

    private Verification(Builder builder) {
        this.b = builder;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Verifies every table against every sink, in that order. */
    public List<Result> run() throws Exception {
        List<SinkSide> sinks = new ArrayList<>();
        try (Database database =
                Database.connect(b.kind, b.hostname, b.port, b.database, b.username, b.password)) {
            List<TableShape> tables = database.tables(b.tables);
            if (b.kafka != null) {
                sinks.add(new KafkaSide(b.kafka, b.topicPrefix));
            }
            if (b.redis != null) {
                sinks.add(new RedisSide(b.redis, b.viewKeyPrefix));
            }
            if (b.elasticsearch != null) {
                sinks.add(new ElasticsearchSide(b.elasticsearch, b.indices, b.renamed));
            }
            if (!b.s3Paths.isEmpty()) {
                sinks.add(new S3Side(b.s3Paths, b.renamed));
            }
            if (sinks.isEmpty()) {
                throw new IllegalArgumentException("nothing to verify against: name a sink");
            }
            Reconciler reconciler =
                    new Reconciler(
                            database,
                            new Reconciler.Settings(
                                    b.rangeRows, b.listed, b.rechecked, b.wait, b.ignored),
                            b.progress == null ? Reconciler.Progress.NONE : progress(b.progress));
            List<Result> results = new ArrayList<>();
            for (SinkSide sink : sinks) {
                for (TableShape table : tables) {
                    if (!sink.covers(table)) {
                        continue;
                    }
                    try (SortedStore store = new SortedStore(b.stateDir)) {
                        results.add(reconciler.verify(table, sink, store));
                    }
                }
            }
            return results;
        } finally {
            for (SinkSide sink : sinks) {
                sink.close();
            }
        }
    }

    /** A line on {@code out} every few seconds while a table is compared. */
    private static Reconciler.Progress progress(PrintStream out) {
        return new Reconciler.Progress() {
            private long started = System.nanoTime();
            private long lastLine = System.nanoTime();
            private String current;

            @Override
            public void compared(TableShape table, SinkSide sink, long rows) {
                String what = table.qualified() + " vs " + sink.name();
                long now = System.nanoTime();
                if (!what.equals(current)) {
                    current = what;
                    started = now;
                    lastLine = now;
                } else if (now - lastLine > 5_000_000_000L) {
                    lastLine = now;
                    out.printf(
                            "  verifying %s: %,d rows compared (%,.0f rows/s)%n",
                            what, rows, rows / ((now - started) / 1e9));
                }
            }
        };
    }

    /** Options of a verification. */
    public static final class Builder {
        private QueryDialect kind = QueryDialect.POSTGRES;
        private String hostname;
        private int port;
        private String database;
        private String username;
        private String password;
        private List<String> tables = List.of();
        private String kafka;
        private String topicPrefix = "cdc";
        private String redis;
        private String viewKeyPrefix = "view";
        private String elasticsearch;
        private Map<String, String> indices = new LinkedHashMap<>();
        private Map<String, String> s3Paths = new LinkedHashMap<>();
        private Map<String, Map<String, String>> renamed = new LinkedHashMap<>();
        private Map<String, java.util.Set<String>> ignored = new LinkedHashMap<>();
        private int rangeRows = 10_000;
        private int listed = 20;
        private int rechecked = 10_000;
        private Duration wait = Duration.ofSeconds(10);
        private Path stateDir = Path.of("changeflow-state", "verify");
        private PrintStream progress;

        /** The database; {@code port} 0 for the default one. */
        public Builder database(
                QueryDialect kind,
                String hostname,
                int port,
                String database,
                String username,
                String password) {
            this.kind = kind;
            this.hostname = hostname;
            this.port = port > 0 ? port : kind == QueryDialect.POSTGRES ? 5432 : 3306;
            this.database = database;
            this.username = username;
            this.password = password;
            return this;
        }

        /** The tables, as regular expressions over {@code schema.table} or {@code db.table}. */
        public Builder tables(List<String> tables) {
            this.tables = List.copyOf(tables);
            return this;
        }

        /** Compare with the change topics {@code <prefix>.<db>[.<schema>].<table>}. */
        public Builder kafka(String bootstrapServers, String topicPrefix) {
            this.kafka = bootstrapServers;
            this.topicPrefix = topicPrefix;
            return this;
        }

        /** Compare with the views job's hashes {@code <keyPrefix>:<table>:{<key>}}. */
        public Builder redis(String uri, String viewKeyPrefix) {
            this.redis = uri;
            this.viewKeyPrefix = viewKeyPrefix;
            return this;
        }

        /** Compare with documents, one index per table (by table or qualified name). */
        public Builder elasticsearch(String hosts, Map<String, String> indexByTable) {
            this.elasticsearch = hosts;
            this.indices = new LinkedHashMap<>(indexByTable);
            return this;
        }

        /** Compare with Parquet events, one path per table (by table or qualified name). */
        public Builder s3(Map<String, String> pathByTable) {
            this.s3Paths = new LinkedHashMap<>(pathByTable);
            return this;
        }

        /** Fields of documents and records named other than their columns, per table. */
        public Builder renamed(Map<String, Map<String, String>> fieldByColumnByTable) {
            this.renamed = new LinkedHashMap<>(fieldByColumnByTable);
            return this;
        }

        /** Columns not compared, per table (a sink that keeps another meaning for them). */
        public Builder ignored(Map<String, java.util.Set<String>> columnsByTable) {
            this.ignored = new LinkedHashMap<>(columnsByTable);
            return this;
        }

        /** Rows per compared range (default 10,000). */
        public Builder rangeRows(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("--range-rows must be >= 1, got " + rows);
            }
            this.rangeRows = rows;
            return this;
        }

        /** Differing rows listed per table and sink (default 20). */
        public Builder listed(int rows) {
            this.listed = rows;
            return this;
        }

        /** How long differing rows may take to catch up (default 10 s). */
        public Builder waitFor(Duration wait) {
            this.wait = wait;
            return this;
        }

        /** Where the sinks' folded state is kept while verifying. */
        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        /** Progress lines on long runs. */
        public Builder progress(PrintStream out) {
            this.progress = out;
            return this;
        }

        public Verification build() {
            if (hostname == null || username == null) {
                throw new IllegalArgumentException("the database needs --hostname and --username");
            }
            if (tables.isEmpty()) {
                throw new IllegalArgumentException("name the tables to verify with --table-list");
            }
            return new Verification(this);
        }
    }
}
