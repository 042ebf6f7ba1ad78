package dev.changeflow.cli.sql;

import dev.changeflow.localstack.process.RuntimeClasspath;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code changeflow sql run -f FILE}: substitutes {@code ${VAR}}s, splits the script into
 * statements and runs them through {@link SqlEngine} in a classloader of their own: Flink's {@code
 * lib/} jars (the {@code runtime-flink} classpath) plus the connector jars the script names (the
 * {@code sql-connectors} classpath files), never the cli's own classpath. Unlike Flink's SQL client
 * it exits non-zero when a statement fails, naming the statement and Flink's reason.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run a Flink SQL script: locally in-process (default) or on a cluster (detached).",
            "${VAR} placeholders come from --var, then from the environment."
        })
public final class SqlRunCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = {"-f", "--file"},
            required = true,
            paramLabel = "FILE",
            description = "The SQL script.")
    Path file;

    @Option(
            names = "--var",
            paramLabel = "K=V",
            description = "A value for ${K} in the script (repeatable); wins over the environment.")
    Map<String, String> vars = new LinkedHashMap<>();

    @ArgGroup(exclusive = true)
    Target target = new Target();

    static final class Target {
        @Option(names = "--local", description = "Run in-process on a MiniCluster (the default).")
        boolean local;

        @Option(
                names = "--cluster",
                paramLabel = "HOST:PORT",
                description =
                        "Submit the jobs detached to the Flink cluster with this REST endpoint,"
                                + " shipping the connector jars; prints the job ids.")
        String cluster;
    }

    @Option(
            names = "--stop-after",
            paramLabel = "DURATION",
            description =
                    "Local runs: cancel the jobs after this long (e.g. 30s, PT1M) and exit 0."
                            + " Default: run until the jobs end or Ctrl-C.")
    String stopAfter;

    @Option(
            names = "--jar",
            paramLabel = "JAR",
            description = "An extra jar (UDFs, another connector) to load and ship (repeatable).")
    List<Path> extraJars = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (target.cluster != null && !target.cluster.matches("[^:\\s]+:\\d+")) {
            err.println(
                    "changeflow sql run: --cluster wants HOST:PORT of the REST endpoint, got "
                            + target.cluster);
            return 2;
        }
        if (!Files.isRegularFile(file)) {
            err.println("changeflow sql run: no such file: " + file);
            return 2;
        }
        List<SqlScript.Statement> statements;
        try {
            statements =
                    SqlScript.substitute(
                            SqlScript.split(Files.readString(file, StandardCharsets.UTF_8)),
                            name -> vars.containsKey(name) ? vars.get(name) : System.getenv(name));
        } catch (SqlScript.ScriptException e) {
            err.println("changeflow sql run: " + file + ": " + e.getMessage());
            return 1;
        }
        List<Path> connectorJars = SqlConnectors.jars(SqlConnectors.needed(statements));
        connectorJars.addAll(extraJars);

        List<Path> jobJars = new ArrayList<>(connectorJars);
        if (jobJars.isEmpty() && target.cluster == null) {
            // a local job needs one library to get a classloader of its own (see SqlEngine)
            RuntimeClasspath.of("runtime-flink").stream()
                    .filter(e -> e.contains("flink-json"))
                    .findFirst()
                    .ifPresent(e -> jobJars.add(Path.of(e)));
        }
        Map<String, String> settings = new LinkedHashMap<>();
        if (target.cluster != null) {
            settings.put("cluster", target.cluster);
        }
        settings.put(
                "jars",
                jobJars.stream()
                        .map(Path::toString)
                        .collect(Collectors.joining(File.pathSeparator)));
        if (stopAfter != null) {
            settings.put("stopAfterMillis", Long.toString(parseDuration(stopAfter).toMillis()));
        }
        // not closed: a local MiniCluster's threads may still load classes while shutting down
        URLClassLoader loader = engineClassLoader(connectorJars);
        try {
            Class<?> engine = loader.loadClass(SqlEngine.class.getName());
            Method run =
                    engine.getMethod(
                            "run",
                            Map.class,
                            List.class,
                            List.class,
                            PrintWriter.class,
                            PrintWriter.class);
            List<Integer> lines = statements.stream().map(SqlScript.Statement::line).toList();
            List<String> texts = statements.stream().map(SqlScript.Statement::text).toList();
            return (Integer) run.invoke(null, settings, lines, texts, out, err);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    /**
     * Flink's lib/ (runtime-flink), the s3 file system for local runs, this module's classes (for
     * {@link SqlEngine} and the log configuration) and the connector jars, over the JDK only.
     */
    static URLClassLoader engineClassLoader(List<Path> connectorJars) throws IOException {
        Set<Path> entries = new LinkedHashSet<>();
        entries.add(codeLocation(SqlEngine.class));
        for (String entry : RuntimeClasspath.of("runtime-flink")) {
            entries.add(Path.of(entry));
        }
        try {
            entries.add(
                    codeLocation(
                            Class.forName("org.apache.flink.fs.s3hadoop.S3FileSystemFactory")));
        } catch (ClassNotFoundException e) {
            // no s3:// for local runs
        }
        entries.addAll(connectorJars);
        List<URL> urls = new ArrayList<>();
        for (Path entry : entries) {
            urls.add(entry.toUri().toURL());
        }
        return new URLClassLoader(
                "changeflow-sql", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    private static Path codeLocation(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + type, e);
        }
    }

    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.startsWith("pt")) {
            return Duration.parse(t);
        }
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h)?").matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "--stop-after wants a duration like 30s, 2m or PT1M, got " + text);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
