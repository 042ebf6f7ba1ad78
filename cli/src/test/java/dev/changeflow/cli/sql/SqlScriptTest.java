package dev.changeflow.cli.sql;

import dev.changeflow.cli.sql.SqlScript.Statement;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqlScriptTest {

    @Test
    void splitsOnSemicolonsOutsideCommentsQuotesAndIdentifiers() throws Exception {
        String script =
                String.join(
                        "\n",
                        "-- a comment; with a semicolon",
                        "SET 'pipeline.name' = 'a;b';",
                        "/* block; comment",
                        "   over lines */ CREATE TABLE `t;1` (\"c;\" STRING)",
                        "  WITH ('connector' = 'datagen', 'x' = 'it''s; fine');",
                        "",
                        "SELECT 1 -- trailing; comment",
                        ";");
        List<Statement> statements = SqlScript.split(script);
        assertThat(statements).extracting(Statement::line).containsExactly(2, 4, 7);
        assertThat(statements.get(0).text()).isEqualTo("SET 'pipeline.name' = 'a;b'");
        assertThat(statements.get(1).text())
                .isEqualTo(
                        "CREATE TABLE `t;1` (\"c;\" STRING)\n"
                                + "  WITH ('connector' = 'datagen', 'x' = 'it''s; fine')");
        assertThat(statements.get(2).text()).isEqualTo("SELECT 1");
    }

    @Test
    void keepsAStatementSetBlockWhole() throws Exception {
        String script =
                "EXECUTE STATEMENT SET\nBEGIN\n  INSERT INTO a SELECT * FROM b;\n"
                        + "  INSERT INTO c SELECT 'end;' FROM d;\nEND;\nSHOW TABLES;";
        List<Statement> statements = SqlScript.split(script);
        assertThat(statements).hasSize(2);
        assertThat(statements.get(0).text())
                .startsWith("EXECUTE STATEMENT SET")
                .contains("INSERT INTO a SELECT * FROM b;")
                .contains("SELECT 'end;' FROM d;")
                .endsWith("END");
        assertThat(statements.get(1)).isEqualTo(new Statement(6, "SHOW TABLES"));
    }

    @Test
    void anUnterminatedStatementSetOrQuoteIsAnError() {
        assertThatThrownBy(() -> SqlScript.split("EXECUTE STATEMENT SET BEGIN INSERT INTO a;"))
                .hasMessageContaining("line 1")
                .hasMessageContaining("END");
        assertThatThrownBy(() -> SqlScript.split("\nSELECT 'abc;"))
                .hasMessageContaining("line 2")
                .hasMessageContaining("unterminated");
    }

    @Test
    void substitutesVariablesAndNamesAnUnsetOneWithItsLine() throws Exception {
        List<Statement> statements =
                SqlScript.split(
                        "SELECT '${A}';\n\nCREATE TABLE t (\n  x INT\n) WITH ('h' = '${B}');");
        List<Statement> done = SqlScript.substitute(statements, Map.of("A", "x;$1", "B", "b")::get);
        assertThat(done.get(0).text()).isEqualTo("SELECT 'x;$1'");
        assertThat(done.get(1).text()).endsWith("('h' = 'b')");

        assertThatThrownBy(() -> SqlScript.substitute(statements, Map.of("A", "a")::get))
                .hasMessageContaining("${B}")
                .hasMessageContaining("line 5");
    }
}
