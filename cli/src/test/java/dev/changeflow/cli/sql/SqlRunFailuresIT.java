package dev.changeflow.cli.sql;

import dev.changeflow.cli.sql.SqlTestSupport.Result;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.changeflow.cli.sql.SqlTestSupport.changeflow;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A statement Flink rejects makes {@code changeflow sql run} exit non-zero with the statement's
 * line and text and Flink's reason on stderr (Flink's SQL client exits 0 there); so does a variable
 * nobody set. Local runs: Flink plans the statements in-process, no server is needed.
 */
class SqlRunFailuresIT {

    @TempDir Path dir;

    private static final String SOURCE =
            "CREATE TEMPORARY TABLE numbers (n BIGINT) WITH (\n"
                    + "  'connector' = 'datagen', 'number-of-rows' = '3');\n";

    @Test
    void aLocalScriptWithoutConnectorJarsRunsItsJobToTheEnd() throws Exception {
        Path script = dir.resolve("ok.sql");
        Files.writeString(
                script,
                SOURCE
                        + "CREATE TEMPORARY TABLE sink (n BIGINT) WITH ('connector' = 'blackhole');\n"
                        + "INSERT INTO sink SELECT n FROM numbers;\n");
        Result run = changeflow("sql", "run", "-f", script.toString(), "--local");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .containsPattern("Job [0-9a-f]{32} submitted \\(statement at line 4\\)");
    }

    @Test
    void anUnknownTableFailsWithTheStatementAndFlinksMessage() throws Exception {
        Path script = dir.resolve("unknown-table.sql");
        Files.writeString(
                script,
                "SET 'parallelism.default' = '1';\n"
                        + SOURCE
                        + "-- the next statement names a table nobody created\n"
                        + "INSERT INTO nowhere\n  SELECT n FROM numbers;\n");
        Result run = changeflow("sql", "run", "-f", script.toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err())
                .contains("the statement at line 5 failed")
                .contains("INSERT INTO nowhere")
                .contains("SELECT n FROM numbers")
                .contains("Cannot find table")
                .contains("nowhere");
        assertThat(run.out()).contains("Session property parallelism.default = 1");
    }

    @Test
    void aBadConnectorOptionFailsWithFlinksReason() throws Exception {
        Path script = dir.resolve("bad-option.sql");
        Files.writeString(
                script,
                SOURCE
                        + "CREATE TEMPORARY TABLE out_topic (n BIGINT) WITH (\n"
                        + "  'connector' = 'kafka',\n"
                        + "  'topic' = 'never-written',\n"
                        + "  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',\n"
                        + "  'format' = 'json',\n"
                        + "  'sink.no-such-option' = 'x');\n"
                        + "INSERT INTO out_topic SELECT n FROM numbers;\n");
        Result run =
                changeflow(
                        "sql",
                        "run",
                        "-f",
                        script.toString(),
                        "--var",
                        "KAFKA_BOOTSTRAP=127.0.0.1:1");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err())
                .contains("the statement at line 9 failed")
                .contains("INSERT INTO out_topic SELECT n FROM numbers")
                .contains("Unsupported options")
                .contains("sink.no-such-option");
    }

    @Test
    void anUnsetVariableIsNamedWithItsLine() throws Exception {
        Path script = dir.resolve("unset.sql");
        Files.writeString(
                script,
                SOURCE
                        + "CREATE TEMPORARY TABLE t (n BIGINT)\n  WITH ('connector' = '${NO_SUCH_VAR_42}');\n");
        Result run = changeflow("sql", "run", "-f", script.toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("${NO_SUCH_VAR_42}").contains("line 4");
    }
}
