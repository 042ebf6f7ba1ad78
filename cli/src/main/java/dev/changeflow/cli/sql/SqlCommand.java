package dev.changeflow.cli.sql;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code changeflow sql}: Flink SQL scripts. */
@Command(
        name = "sql",
        mixinStandardHelpOptions = true,
        description = "Run Flink SQL scripts (sql/*.sql) locally or on a cluster.",
        subcommands = {SqlRunCommand.class, CommandLine.HelpCommand.class})
public final class SqlCommand {}
