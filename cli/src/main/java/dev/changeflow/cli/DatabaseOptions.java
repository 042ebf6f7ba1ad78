package dev.changeflow.cli;

import dev.changeflow.cdc.config.DatabasePasswords;
import dev.changeflow.cdc.config.NameLists;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;

/**
 * The connection options every command that reads a database takes, the same way and under the same
 * names as {@code changeflow ingest} (whose options come from the sources' {@code ConfigOption}s):
 * {@code --source}, {@code --hostname}, {@code --port}, {@code --database-name} (derived from
 * {@code db.table} names on MariaDB/MySQL), {@code --username}, {@code --password} or {@code
 * --password-file} or the {@value DatabasePasswords#ENVIRONMENT_VARIABLE} variable, and {@code
 * --table-list}.
 */
public final class DatabaseOptions {

    /** The database, as {@code changeflow ingest --source}. */
    public enum Source {
        postgres,
        mysql
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = "--source",
            defaultValue = "postgres",
            description = "postgres or mysql (MariaDB and MySQL); default ${DEFAULT-VALUE}.")
    public Source source;

    @Option(
            names = "--hostname",
            defaultValue = "localhost",
            description = "The database's host (default ${DEFAULT-VALUE}).")
    public String hostname;

    @Option(names = "--port", description = "The database's port (default 5432 / 3306).")
    public Integer port;

    @Option(
            names = "--database-name",
            paramLabel = "DB",
            description = "The database (PostgreSQL; on MariaDB/MySQL taken from --table-list).")
    String database;

    @Option(names = "--username", description = "The user to connect as (required).")
    String username;

    @Option(
            names = "--password",
            description =
                    "The user's password; better --password-file or the variable "
                            + DatabasePasswords.ENVIRONMENT_VARIABLE
                            + ", which ps and shell history do not show.")
    String password;

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            description = "A file whose first line is the password.")
    String passwordFile;

    @Option(
            names = {"--table-list", "--tables"},
            split = ",",
            paramLabel = "TABLES",
            description =
                    "Tables, comma-separated: schema.table (PostgreSQL) or db.table (MariaDB/MySQL).")
    public List<String> tables;

    /** Whether the database options were given at all (status shows the database only then). */
    public boolean given() {
        return username != null;
    }

    /** The user; a usage error (exit 2) when missing. */
    public String username() {
        return required(username, "--username=USER");
    }

    /** The tables; a usage error (exit 2) when missing. */
    public List<String> tables() {
        return required(tables == null || tables.isEmpty() ? null : tables, "--table-list=TABLES");
    }

    private <T> T required(T value, String option) {
        if (value == null) {
            throw new CommandLine.ParameterException(
                    command.commandLine(), "Missing required option: '" + option + "'");
        }
        return value;
    }

    public boolean postgres() {
        return source == Source.postgres;
    }

    /** The password from the option, the file or the environment; empty if none is given. */
    public String password() {
        String resolved = DatabasePasswords.password(password, passwordFile, System.getenv());
        return resolved == null ? "" : resolved;
    }

    /** The port, or the database's default one. */
    public int port() {
        return port != null ? port : postgres() ? 5432 : 3306;
    }

    /** The database: given, or on MariaDB/MySQL the one every {@code db.table} names. */
    public String database() {
        if (database != null && !database.isBlank()) {
            return database;
        }
        if (postgres()) {
            throw new IllegalArgumentException("--database-name is required for PostgreSQL");
        }
        return NameLists.databaseOf(tables(), "--table-list");
    }

    /** The database as given, or null (a source's config derives it). */
    public String givenDatabase() {
        return database;
    }
}
