package dev.changeflow.cli;

import dev.changeflow.localstack.LocalStack;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.StackEnvironment;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** {@code changeflow stack up}: the real servers of the local stack. */
@Command(
        name = "stack",
        description = "Runs the local stack of real servers.",
        mixinStandardHelpOptions = true,
        subcommands = {StackCommand.Up.class})
final class StackCommand {

    /** Starts the servers, prints their endpoints, stops them all on Ctrl-C. */
    @Command(
            name = "up",
            mixinStandardHelpOptions = true,
            description = {
                "Starts Kafka (KRaft), PostgreSQL (logical WAL), MariaDB (ROW binlog), Redis,"
                        + " Elasticsearch, an S3 server and a standalone Flink cluster, prints"
                        + " every endpoint and stops them all on Ctrl-C.",
                "Any server can point at existing infrastructure instead, through the"
                        + " CHANGEFLOW_* environment variables (see README)."
            })
    static final class Up implements java.util.concurrent.Callable<Integer> {

        @Option(
                names = "--services",
                split = ",",
                paramLabel = "NAME",
                converter = ServiceName.class,
                description =
                        "Servers to start (default: all): kafka, postgres, mariadb, redis,"
                                + " elasticsearch, s3, flink.")
        List<Service> services;

        @Option(
                names = "--dir",
                defaultValue = "target/local-stack",
                description = "Where servers keep data and logs (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(
                names = "--exit-after",
                paramLabel = "SECONDS",
                description = "Stop by itself after this many seconds (default: run until Ctrl-C).")
        Long exitAfter;

        @Override
        public Integer call() throws Exception {
            EnumSet<Service> wanted = parse(services);
            PrintStream out = System.out;
            long t0 = System.nanoTime();
            out.println("Starting " + wanted + " in " + dir.toAbsolutePath() + " ...");
            out.println("Logs of the servers' clients: " + Logging.file());
            CountDownLatch stopped = new CountDownLatch(1);
            // like a real deployment's supervisor: a TaskManager that dies is replaced
            LocalStack stack =
                    LocalStack.builder()
                            .baseDir(dir)
                            .services(wanted)
                            .superviseFlinkTaskManagers(true)
                            .build();
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        out.println("Stopping the local stack ...");
                                        stack.close();
                                        out.println("Stopped.");
                                        stopped.countDown();
                                    },
                                    "stack-up-stop"));
            stack.start();
            out.println();
            for (Map.Entry<String, Map<String, String>> server : stack.endpoints().entrySet()) {
                out.println(server.getKey());
                server.getValue().forEach((k, v) -> out.printf("  %-18s %s%n", k, v));
            }
            out.printf(
                    "%nLocal stack ready in %.1f s. Press Ctrl-C to stop.%n",
                    (System.nanoTime() - t0) / 1e9);
            out.println(
                    "Point other tools at these endpoints, or at your own servers with the "
                            + StackEnvironment.class.getSimpleName()
                            + " variables (CHANGEFLOW_KAFKA_BOOTSTRAP, ...).");
            out.flush();
            if (exitAfter != null) {
                stopped.await(exitAfter, TimeUnit.SECONDS);
                stack.close();
                return 0;
            }
            stopped.await();
            return 0;
        }

        static EnumSet<Service> parse(List<Service> services) {
            return services == null || services.isEmpty()
                    ? EnumSet.allOf(Service.class)
                    : EnumSet.copyOf(services);
        }
    }

    /** {@code --services} names, checked while the command line is parsed. */
    static final class ServiceName implements CommandLine.ITypeConverter<Service> {
        @Override
        public Service convert(String value) {
            String id = value.trim().toLowerCase(java.util.Locale.ROOT);
            return Arrays.stream(Service.values())
                    .filter(s -> s.id().equals(id))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new CommandLine.TypeConversionException(
                                            "unknown server '"
                                                    + value
                                                    + "' (known: "
                                                    + Arrays.stream(Service.values())
                                                            .map(Service::id)
                                                            .collect(Collectors.joining(", "))
                                                    + ")"));
        }
    }
}
