package dev.changeflow.localstack;

import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.PostgresServer;

import org.junit.jupiter.api.Test;

@LocalStackTest(services = Service.POSTGRES)
class PostgresServerIT {

    @Test
    void pgoutputSlotReadsAChange(PostgresServer postgres) throws Exception {
        ServerChecks.pgoutputSlotReadsAChange(postgres);
    }
}
