package dev.changeflow.cli;

import dev.changeflow.cdc.query.config.QueryDialect;
import dev.changeflow.cli.cluster.StatusLine;
import dev.changeflow.cli.cluster.TableEstimates;
import dev.changeflow.cli.verify.Database;
import dev.changeflow.jobs.ingest.CaptureSources;
import dev.changeflow.jobs.ingest.IngestJob;
import dev.changeflow.jobs.ingest.IngestOptions;
import dev.changeflow.jobs.ingest.IngestOptions.SourceKind;
import dev.changeflow.localstack.process.Ports;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code changeflow ingest}: the ingest job on a local MiniCluster, with the same options as {@code
 * flink run changeflow-ingest.jar}. Its options are generated from the job's and the sources'
 * {@link ConfigOption}s, so {@code --help} lists exactly what the job reads.
 */
final class IngestCommand implements Callable<Integer> {

    /**
     * Where local runs keep their checkpoints unless {@code execution.checkpointing.dir} is set.
     */
    static final Path DEFAULT_STATE_DIR = Path.of("changeflow-state", "checkpoints");

    private CommandSpec spec;
    private final Map<OptionSpec, ConfigOption<?>> jobOptions = new LinkedHashMap<>();
    private OptionSpec flinkOptions;
    private OptionSpec fromCheckpoint;
    private OptionSpec exitAfter;
    private OptionSpec metricsPort;
    private OptionSpec statusInterval;

    private IngestCommand() {}

    /** The command, with one option per job and source option. */
    static CommandLine commandLine() {
        IngestCommand command = new IngestCommand();
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command);
        command.spec = spec;
        spec.name("ingest").mixinStandardHelpOptions(true);
        UsageMessageSpec usage = spec.usageMessage();
        usage.description(
                "Runs the ingest job (CDC -> Kafka, exactly once) on a local Flink MiniCluster"
                        + " until Ctrl-C. The same options work with `flink run"
                        + " changeflow-ingest.jar` on a cluster.");
        usage.width(100);
        usage.sortOptions(false);
        usage.customSynopsis(
                "changeflow ingest --kafka.bootstrap-servers=HOST:PORT --hostname=HOST"
                        + " --database-name=DB --table-list=TABLES [--slot.name=SLOT | --server-id=IDS]"
                        + " [OPTIONS] [-D KEY=VALUE]...");
        spec.addArgGroup(group(command, "Job options%n", IngestOptions.all()));
        for (Map.Entry<String, List<ConfigOption<?>>> group :
                CaptureSources.optionGroups().entrySet()) {
            List<ConfigOption<?>> sourceOptions = new ArrayList<>();
            List<String> shared = new ArrayList<>();
            for (ConfigOption<?> option : group.getValue()) {
                if (command.jobOptions.values().stream()
                        .noneMatch(known -> known.key().equals(option.key()))) {
                    sourceOptions.add(option);
                } else {
                    shared.add("--" + option.key());
                }
            }
            String heading = group.getKey();
            if (!shared.isEmpty()) {
                heading += "; also " + String.join(", ", shared) + " as above";
            }
            spec.addArgGroup(group(command, heading + "%n", sourceOptions));
        }
        command.flinkOptions =
                OptionSpec.builder("-D")
                        .paramLabel("KEY=VALUE")
                        .type(Map.class)
                        .auxiliaryTypes(String.class, String.class)
                        .description(
                                "A Flink option, as with flink run -D, e.g."
                                        + " -D execution.checkpointing.interval=5s,"
                                        + " -D restart-strategy.type=fixed-delay, -D rest.port=8081"
                                        + " (the web UI). Checkpoints go to "
                                        + DEFAULT_STATE_DIR
                                        + " unless execution.checkpointing.dir is set.")
                        .build();
        spec.addOption(command.flinkOptions);
        command.fromCheckpoint =
                option(
                        spec,
                        "--from-checkpoint",
                        "PATH",
                        String.class,
                        null,
                        "Resume from this retained checkpoint or savepoint (a chk-N or"
                                + " savepoint directory).");
        command.exitAfter =
                option(
                        spec,
                        "--exit-after",
                        "SECONDS",
                        Long.class,
                        null,
                        "Cancel the job and exit after this many seconds (default: run until"
                                + " Ctrl-C). Its last checkpoint stays.");
        command.metricsPort =
                option(
                        spec,
                        "--metrics.port",
                        "PORT",
                        Integer.class,
                        null,
                        "Serve Flink's metrics (the job's per-table changes, capture lag, dead"
                                + " letters, checkpoints) for Prometheus at"
                                + " http://127.0.0.1:PORT/metrics.");
        command.statusInterval =
                option(
                        spec,
                        "--status-interval",
                        "SECONDS",
                        Long.class,
                        "10",
                        "Print the job's status (per table snapshot rows, changes, changes/s,"
                                + " capture lag; last checkpoint, restarts, dead letters) every"
                                + " SECONDS, rewritten in place on a terminal; 0 turns it off"
                                + " (default: 10).");
        return new CommandLine(spec);
    }

    /** Adds one of the command's own options (not a job option) to {@code spec}. */
    private static OptionSpec option(
            CommandSpec spec,
            String name,
            String label,
            Class<?> type,
            String defaultValue,
            String description) {
        OptionSpec.Builder option =
                OptionSpec.builder(name).paramLabel(label).type(type).description(description);
        if (defaultValue != null) {
            option.defaultValue(defaultValue);
        }
        OptionSpec built = option.build();
        spec.addOption(built);
        return built;
    }

    private static CommandLine.Model.ArgGroupSpec group(
            IngestCommand command, String heading, List<ConfigOption<?>> options) {
        var group = CommandLine.Model.ArgGroupSpec.builder().heading(heading).exclusive(false);
        for (ConfigOption<?> option : options) {
            OptionSpec spec =
                    OptionSpec.builder("--" + option.key())
                            .paramLabel(paramLabel(option))
                            .type(String.class)
                            .arity("1")
                            .description(describe(option))
                            .build();
            command.jobOptions.put(spec, option);
            group.addArg(spec);
        }
        return group.build();
    }

    private static String paramLabel(ConfigOption<?> option) {
        String key = option.key();
        int dot = key.lastIndexOf('.');
        return (dot < 0 ? key : key.substring(dot + 1)).toUpperCase().replace('-', '_');
    }

    /** The option's description as plain text, with its default. */
    static String describe(ConfigOption<?> option) {
        String text =
                new HtmlFormatter()
                        .format(option.description())
                        .replaceAll("<[^>]+>", "")
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&#39;", "'")
                        .replace("&amp;", "&");
        if (option.hasDefaultValue() && !"".equals(option.defaultValue())) {
            Object value = option.defaultValue();
            String shown =
                    value instanceof Duration
                            ? TimeUtils.formatWithHighestUnit((Duration) value)
                            : value instanceof Enum
                                    ? value.toString().toLowerCase()
                                    : String.valueOf(value);
            text += " (default: " + shown + ")";
        }
        return text;
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Configuration options = new Configuration();
        for (var entry : jobOptions.entrySet()) {
            String value = entry.getKey().getValue();
            if (value != null) {
                options.setString(entry.getValue().key(), value);
            }
        }
        Map<String, String> flink = flinkOptions.getValue();
        if (flink != null) {
            flink.forEach(options::setString);
        }
        if (!options.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)) {
            options.set(
                    CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    DEFAULT_STATE_DIR.toAbsolutePath().toUri().toString());
        }
        Integer prometheus = metricsPort.getValue();
        if (prometheus != null) {
            options.setString(
                    "metrics.reporter.prom.factory.class",
                    dev.changeflow.localstack.server.FlinkCluster.PROMETHEUS_REPORTER);
            options.setString(
                    dev.changeflow.localstack.server.FlinkCluster.PROMETHEUS_PORT,
                    Integer.toString(prometheus));
        }
        long statusSeconds = statusInterval.getValue();
        if (statusSeconds > 0 && !options.containsKey("rest.port")) {
            // the status line reads the job's REST API: serve it on a free port
            options.setString("rest.port", Integer.toString(Ports.free()));
        }
        if (statusSeconds > 0 && !options.containsKey("metrics.fetcher.update-interval")) {
            options.setString("metrics.fetcher.update-interval", "2000");
        }
        String checkpoint = fromCheckpoint.getValue();
        if (checkpoint != null) {
            options.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint);
        }

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(options);
        String name;
        try {
            name = IngestJob.prepare(options, env);
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("changeflow ingest: " + e.getMessage());
            return 1;
        }
        JobClient job = env.executeAsync(name);
        out.println("Running " + name + " (job " + job.getJobID() + ") on a local MiniCluster.");
        out.println(
                "Checkpoints: "
                        + options.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)
                                .replaceAll("/+$", "")
                        + "/"
                        + job.getJobID()
                        + " (resume with --from-checkpoint <that>/chk-N). Ctrl-C stops.");
        out.println("Logs of Flink and the connectors: " + Logging.file());
        if (prometheus != null) {
            out.println("Metrics for Prometheus: http://127.0.0.1:" + prometheus + "/metrics");
        }
        StatusLine status =
                statusSeconds > 0
                        ? StatusLine.start(
                                "http://127.0.0.1:" + options.getString("rest.port", "8081"),
                                job.getJobID().toString(),
                                statusSeconds,
                                out,
                                System.console() != null,
                                tableEstimates(options))
                        : null;
        java.util.concurrent.atomic.AtomicBoolean stopping =
                new java.util.concurrent.atomic.AtomicBoolean();
        Thread cancelOnExit =
                new Thread(
                        () -> {
                            stopping.set(true);
                            closeQuietly(status);
                            cancel(job);
                        },
                        "changeflow-ingest-cancel");
        Runtime.getRuntime().addShutdownHook(cancelOnExit);
        Long seconds = exitAfter.getValue();
        try {
            try {
                if (seconds == null) {
                    job.getJobExecutionResult().get();
                } else {
                    job.getJobExecutionResult().get(seconds, TimeUnit.SECONDS);
                }
            } finally {
                closeQuietly(status);
            }
            out.println("The job finished.");
            return 0;
        } catch (TimeoutException e) {
            cancel(job);
            out.println("Stopped after " + seconds + " s.");
            return 0;
        } catch (java.util.concurrent.ExecutionException e) {
            if (stopping.get()) {
                out.println("Stopped. Its last checkpoint stays (--from-checkpoint resumes).");
                return 0;
            }
            spec.commandLine()
                    .getErr()
                    .println("changeflow ingest: the job failed: " + rootCause(e));
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cancelOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
    }

    /**
     * The captured database's row estimates for the status line, or none when it cannot be reached
     * now (the status line then shows the metrics' names without estimates).
     */
    private static Map<String, Long> tableEstimates(Configuration options) {
        boolean postgres = options.get(IngestOptions.SOURCE) == SourceKind.POSTGRES;
        try (Connection c =
                Database.open(
                        postgres ? QueryDialect.POSTGRES : QueryDialect.MARIADB,
                        options.getString("hostname", "localhost"),
                        Integer.parseInt(options.getString("port", postgres ? "5432" : "3306")),
                        options.getString("database-name", ""),
                        options.getString("username", ""),
                        options.getString("password", ""))) {
            return TableEstimates.read(c, postgres);
        } catch (SQLException | RuntimeException e) {
            return Map.of();
        }
    }

    private static void closeQuietly(StatusLine status) {
        if (status != null) {
            status.close();
        }
    }

    private static void cancel(JobClient job) {
        try {
            job.cancel().get(30, TimeUnit.SECONDS);
            job.getJobExecutionResult().handle((result, error) -> null).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the job is gone already
        }
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.toString();
    }
}
