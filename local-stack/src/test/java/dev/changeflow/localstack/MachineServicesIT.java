package dev.changeflow.localstack;

import dev.changeflow.localstack.server.RedisServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Points Changeflow at servers that already run on the machine (as users point it at their own
 * infrastructure), configured by {@code local-stack/scripts/configure-machine-services.sh}. Runs
 * when {@code CHANGEFLOW_MACHINE_SERVICES=1} (CI sets it after running that script); the endpoints
 * can be changed with the usual {@link StackEnvironment} variables.
 */
class MachineServicesIT {

    private static LocalStack stack;

    @BeforeAll
    static void connect() throws Exception {
        assumeTrue(
                "1".equals(System.getenv("CHANGEFLOW_MACHINE_SERVICES")),
                "set CHANGEFLOW_MACHINE_SERVICES=1 after running configure-machine-services.sh");
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.putIfAbsent(StackEnvironment.POSTGRES_URL, "jdbc:postgresql://127.0.0.1:5432/postgres");
        env.putIfAbsent(StackEnvironment.POSTGRES_USER, "postgres");
        env.putIfAbsent(StackEnvironment.MARIADB_URL, "jdbc:mariadb://127.0.0.1:3306/test");
        env.putIfAbsent(StackEnvironment.MARIADB_USER, "root");
        env.putIfAbsent(StackEnvironment.REDIS_URI, "redis://127.0.0.1:6379");
        stack =
                LocalStack.builder()
                        .environment(env)
                        .services(Service.POSTGRES, Service.MARIADB, Service.REDIS)
                        .build()
                        .start();
    }

    @AfterAll
    static void disconnect() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void postgresServesPgoutput() throws Exception {
        ServerChecks.pgoutputSlotReadsAChange(stack.postgres());
    }

    @Test
    void mariadbServesTheRowBinlog() throws Exception {
        ServerChecks.binlogIsRowAndReadable(stack.mariadb(), "cdc", "cdc");
    }

    @Test
    void redisAnswers() {
        ServerChecks.redisSetAndGet(stack.redis());
    }

    @Test
    void closingAnExternalStackLeavesTheServersRunning() throws Exception {
        LocalStack second =
                LocalStack.builder()
                        .server(Service.REDIS, RedisServer.external(stack.redis().uri()))
                        .build()
                        .start();
        second.close();
        ServerChecks.redisSetAndGet(stack.redis());
        assertThat(List.of(stack.postgres(), stack.mariadb(), stack.redis()))
                .allMatch(ManagedServer::external);
    }
}
