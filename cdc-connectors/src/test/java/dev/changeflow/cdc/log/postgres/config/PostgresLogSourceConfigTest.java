package dev.changeflow.cdc.log.postgres.config;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.log.postgres.PostgresLogSource;

import org.apache.flink.configuration.Configuration;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresLogSourceConfigTest {

    private static Configuration minimal() {
        Configuration conf = new Configuration();
        conf.setString("hostname", "localhost");
        conf.setString("database-name", "shop");
        conf.setString("username", "cdc");
        conf.setString("table-list", "public.orders");
        conf.setString("slot.name", "shop_orders");
        return conf;
    }

    @Test
    void startupFromATimestampIsRejectedWithTheReason() {
        Configuration mode = minimal();
        mode.setString("scan.startup.mode", "timestamp");
        Configuration millis = minimal();
        millis.setString("scan.startup.timestamp-millis", "1700000000000");
        for (Configuration conf : new Configuration[] {mode, millis}) {
            assertThatThrownBy(() -> PostgresLogSourceConfig.from(conf))
                    .isInstanceOf(CdcSetupException.class)
                    .hasMessageContaining("cannot start at a timestamp")
                    .hasMessageContaining("'initial'")
                    .hasMessageContaining("savepoint");
        }
        assertThatThrownBy(
                        () ->
                                PostgresLogSource.builder()
                                        .hostname("localhost")
                                        .database("shop")
                                        .username("cdc")
                                        .tableList("public.orders")
                                        .slotName("shop_orders")
                                        .preflight(false)
                                        .startupTimestamp(Instant.parse("2024-01-01T00:00:00Z"))
                                        .build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessage(PostgresLogSourceConfig.TIMESTAMP_STARTUP_UNSUPPORTED);
    }

    @Test
    void anUnknownStartupModeNamesTheOption() {
        Configuration conf = minimal();
        conf.setString("scan.startup.mode", "earliest");
        assertThatThrownBy(() -> PostgresLogSourceConfig.from(conf))
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("'scan.startup.mode' must be one of initial, latest")
                .hasMessageContaining("'earliest'");
    }

    @Test
    void startupModesParse() {
        Configuration conf = minimal();
        conf.setString("scan.startup.mode", "latest");
        assertThat(PostgresLogSourceConfig.from(conf).startupMode()).isEqualTo(StartupMode.LATEST);
        assertThat(PostgresLogSourceConfig.from(minimal()).startupMode())
                .isEqualTo(StartupMode.INITIAL);
    }

    @Test
    void slotRetriesDefaultToEverySecondAndCanBeOverridden() {
        assertThat(PostgresLogSourceConfig.from(minimal()).debeziumProperties())
                .containsEntry("slot.retry.delay.ms", "1000")
                .containsEntry("slot.max.retries", "60");
        Configuration conf = minimal();
        conf.setString("debezium.slot.retry.delay.ms", "5000");
        assertThat(PostgresLogSourceConfig.from(conf).debeziumProperties())
                .containsEntry("slot.retry.delay.ms", "5000");
    }

    @Test
    void thePublicationIsNeverAutoCreatedFilteredFlink38907() {
        Configuration preflightOff = minimal();
        preflightOff.setString("preflight.enabled", "false");
        assertThat(PostgresLogSourceConfig.from(preflightOff).debeziumProperties())
                .containsEntry("publication.autocreate.mode", "disabled")
                .containsEntry("publication.name", "shop_orders_pub");

        Configuration filtered = minimal();
        filtered.setString("debezium.publication.autocreate.mode", "filtered");
        assertThatThrownBy(() -> PostgresLogSourceConfig.from(filtered))
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("FLINK-38907");

        Configuration allTables = minimal();
        allTables.setString("debezium.publication.autocreate.mode", "ALL_TABLES");
        Properties props = PostgresLogSourceConfig.from(allTables).debeziumProperties();
        assertThat(props).containsEntry("publication.autocreate.mode", "all_tables");
    }
}
