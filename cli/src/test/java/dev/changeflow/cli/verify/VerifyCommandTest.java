package dev.changeflow.cli.verify;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Options that make no sense fail before anything is read, naming the option. */
class VerifyCommandTest {

    private static final String[] DATABASE = {
        "--hostname=localhost", "--username=u", "--database-name=db", "--table-list=public.t"
    };

    @Test
    void aSinkWithoutItsEndpointNamesTheMissingOption() {
        assertThat(run("--against=redis")).isEqualTo("2 --against redis needs --redis.uri");
        assertThat(run("--against=kafka"))
                .startsWith("2 --against kafka needs --kafka.bootstrap-servers");
        assertThat(run("--against=elasticsearch", "--elasticsearch.hosts=http://h:9200"))
                .isEqualTo("2 --against elasticsearch needs --elasticsearch.index");
        assertThat(run("--against=s3")).isEqualTo("2 --against s3 needs --s3.path");
    }

    @Test
    void badValuesAreRejectedWithTheirOption() {
        assertThat(run("--against=kafka", "--kafka.bootstrap-servers=k:9092", "--wait=soon"))
                .startsWith("2 --wait soon: not a duration");
        assertThat(run("--against=kafka", "--kafka.bootstrap-servers=k:9092", "--range-rows=0"))
                .isEqualTo("2 --range-rows must be >= 1, got 0");
        assertThat(run("--against=kafka", "--kafka.bootstrap-servers=k:9092", "--field=id=x"))
                .startsWith("2 --field id=x: write TABLE.COLUMN=FIELD");
    }

    @Test
    void anUnknownSinkIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine line = new CommandLine(new VerifyCommand()).setErr(new PrintWriter(err));
        int code = line.execute(concat("--against=mongodb"));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--against").contains("mongodb");
    }

    @Test
    void aMissingUserOrTableListIsAUsageError() {
        for (String[] args :
                List.of(
                        new String[] {
                            "--database-name=db", "--table-list=public.t", "--against=kafka"
                        },
                        new String[] {"--database-name=db", "--username=u", "--against=kafka"})) {
            StringWriter err = new StringWriter();
            int code =
                    new CommandLine(new VerifyCommand()).setErr(new PrintWriter(err)).execute(args);
            assertThat(code).isEqualTo(2);
            assertThat(err.toString()).contains("Missing required option");
        }
    }

    @Test
    void renamesAndIgnoredColumnsGroupByTable() {
        assertThat(VerifyCommand.renamed(Map.of("public.orders.id", "orderId")))
                .isEqualTo(Map.of("public.orders", Map.of("id", "orderId")));
        assertThat(VerifyCommand.ignored(List.of("orders.status", "orders.note")))
                .isEqualTo(Map.of("orders", Set.of("status", "note")));
    }

    /** The exit code and the message on stderr; each case fails before reaching a server. */
    private static String run(String... args) {
        VerifyCommand command = new VerifyCommand();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = new CommandLine(command).execute(concat(args));
        String message = err.toString(StandardCharsets.UTF_8).strip();
        return code + " " + message.replaceFirst("^changeflow verify: ", "");
    }

    private static String[] concat(String... args) {
        String[] all = new String[DATABASE.length + args.length];
        System.arraycopy(DATABASE, 0, all, 0, DATABASE.length);
        System.arraycopy(args, 0, all, DATABASE.length, args.length);
        return all;
    }
}
