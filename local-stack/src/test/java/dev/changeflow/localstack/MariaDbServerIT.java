package dev.changeflow.localstack;

import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.MariaDbServer;

import org.junit.jupiter.api.Test;

@LocalStackTest(services = Service.MARIADB)
class MariaDbServerIT {

    @Test
    void binlogIsRowAndReadableByTheCdcUser(MariaDbServer mariadb) throws Exception {
        ServerChecks.binlogIsRowAndReadable(
                mariadb, MariaDbServer.CDC_USER, MariaDbServer.CDC_PASSWORD);
    }
}
