package dev.changeflow.cli.sql;

import dev.changeflow.localstack.process.RuntimeClasspath;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The connector jars a script needs, chosen from its {@code 'connector'} and {@code 'format'}
 * options. The jars come from the {@code sql-connectors} module ({@code sql/pom.xml}), which only
 * records their paths in {@code META-INF/changeflow/sql-<name>.classpath}.
 */
final class SqlConnectors {

    /** Connector or format identifier -> classpath file of the jars that provide it. */
    static final Map<String, String> JARS_BY_IDENTIFIER =
            Map.of(
                    "kafka", "sql-kafka",
                    "upsert-kafka", "sql-kafka",
                    "postgres-cdc", "sql-postgres-cdc",
                    "mysql-cdc", "sql-mysql-cdc",
                    "trigger-cdc", "sql-changeflow-cdc",
                    "query-cdc", "sql-changeflow-cdc",
                    "changeflow-redis", "sql-changeflow-redis",
                    "elasticsearch-7", "sql-elasticsearch-7",
                    "parquet", "sql-parquet");

    private static final Pattern OPTION =
            Pattern.compile(
                    "'(?:connector|format|key\\.format|value\\.format)'\\s*=\\s*'([^']+)'",
                    Pattern.CASE_INSENSITIVE);

    private SqlConnectors() {}

    /** The classpath files the statements need, in first-use order. */
    static Set<String> needed(List<SqlScript.Statement> statements) {
        Set<String> names = new LinkedHashSet<>();
        for (SqlScript.Statement statement : statements) {
            Matcher m = OPTION.matcher(statement.text());
            while (m.find()) {
                String name = JARS_BY_IDENTIFIER.get(m.group(1).trim().toLowerCase());
                if (name != null) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** The jars of the named classpath files. */
    static List<Path> jars(Set<String> names) {
        List<Path> jars = new ArrayList<>();
        for (String name : names) {
            for (String entry : RuntimeClasspath.of(name)) {
                Path jar = Path.of(entry);
                if (!jars.contains(jar)) {
                    jars.add(jar);
                }
            }
        }
        return jars;
    }
}
