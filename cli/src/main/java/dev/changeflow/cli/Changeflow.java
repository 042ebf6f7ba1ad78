package dev.changeflow.cli;

import dev.changeflow.cli.cluster.ClusterCommand;
import dev.changeflow.cli.cluster.StatusCommand;
import dev.changeflow.cli.cluster.StopCommand;
import dev.changeflow.cli.cluster.SubmitCommand;
import dev.changeflow.cli.demo.DemoCommand;
import dev.changeflow.cli.sql.SqlCommand;
import dev.changeflow.cli.verify.VerifyCommand;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code changeflow} command line. */
@Command(
        name = "changeflow",
        mixinStandardHelpOptions = true,
        versionProvider = Changeflow.Version.class,
        description = "Change data capture into Kafka, and Flink jobs on top of it.",
        subcommands = {
            DemoCommand.class,
            StackCommand.class,
            ClusterCommand.class,
            SubmitCommand.class,
            StopCommand.class,
            StatusCommand.class,
            TriggersCommand.class,
            SqlCommand.class,
            VerifyCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Changeflow {

    public static void main(String[] args) {
        Logging.setUp();
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with every subcommand. */
    public static CommandLine commandLine() {
        return new CommandLine(new Changeflow())
                .addSubcommand("ingest", IngestCommand.commandLine());
    }

    /** The version from the jar manifest, or the development version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Changeflow.class.getPackage().getImplementationVersion();
            return new String[] {"changeflow " + (v == null ? "development build" : v)};
        }
    }
}
