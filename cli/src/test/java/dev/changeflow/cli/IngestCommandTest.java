package dev.changeflow.cli;

import dev.changeflow.jobs.ingest.CaptureSources;
import dev.changeflow.jobs.ingest.IngestOptions;

import org.apache.flink.configuration.ConfigOption;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IngestCommandTest {

    private static List<ConfigOption<?>> everyOption() {
        List<ConfigOption<?>> options = new ArrayList<>(IngestOptions.all());
        CaptureSources.optionGroups().values().forEach(options::addAll);
        return options;
    }

    @Test
    void helpListsEveryOptionOfTheJobAndTheSources() {
        StringWriter out = new StringWriter();
        int code =
                Changeflow.commandLine().setOut(new PrintWriter(out)).execute("ingest", "--help");

        assertThat(code).isZero();
        for (ConfigOption<?> option : everyOption()) {
            assertThat(out.toString()).contains("--" + option.key() + "=");
        }
    }

    @Test
    void theReadmeDocumentsEveryOption() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (ConfigOption<?> option : everyOption()) {
            assertThat(readme)
                    .as("README.md documents --%s", option.key())
                    .contains("`--" + option.key() + "`");
        }
    }

    @Test
    void tooFewServerIdsForTheParallelismFailBeforeTheJobStarts() {
        StringWriter err = new StringWriter();
        int code =
                Changeflow.commandLine()
                        .setErr(new PrintWriter(err))
                        .execute(
                                "ingest",
                                "--source=mysql",
                                "--hostname=127.0.0.1",
                                "--username=cdc",
                                "--table-list=shop.orders",
                                "--server-id=5400",
                                "--kafka.bootstrap-servers=127.0.0.1:9",
                                "-D",
                                "parallelism.default=2");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString())
                .contains("'server-id' = '5400' holds 1 server id(s)")
                .contains("parallelism 2")
                .contains("'5400-5401'");
    }

    @Test
    void aMissingKafkaEndpointIsNamed() {
        StringWriter err = new StringWriter();
        int code =
                Changeflow.commandLine()
                        .setErr(new PrintWriter(err))
                        .execute(
                                "ingest",
                                "--hostname=127.0.0.1",
                                "--database-name=shop",
                                "--table-list=public.orders",
                                "--slot.name=s");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("'kafka.bootstrap-servers' is required");
    }
}
