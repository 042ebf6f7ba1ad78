package dev.changeflow.cli;

import dev.changeflow.localstack.Service;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StackCommandTest {

    @Test
    void servicesDefaultToAll() {
        assertThat(StackCommand.Up.parse(null)).containsExactlyInAnyOrder(Service.values());
        StackCommand.ServiceName names = new StackCommand.ServiceName();
        assertThat(
                        StackCommand.Up.parse(
                                List.of(names.convert("Kafka"), names.convert(" postgres"))))
                .containsExactly(Service.KAFKA, Service.POSTGRES);
    }

    @Test
    void anUnknownServiceIsAUsageErrorNamingTheOption() {
        assertThatThrownBy(() -> new StackCommand.ServiceName().convert("zookeeper"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("zookeeper");

        StringWriter err = new StringWriter();
        int code =
                new CommandLine(new Changeflow())
                        .setErr(new PrintWriter(err))
                        .execute("stack", "up", "--services", "kafka,zookeeper");
        assertThat(code).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("--services").contains("unknown server 'zookeeper'");
    }
}
