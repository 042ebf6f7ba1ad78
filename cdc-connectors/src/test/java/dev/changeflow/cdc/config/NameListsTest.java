package dev.changeflow.cdc.config;

import dev.changeflow.cdc.log.postgres.config.PostgresLogSourceOptions;

import org.apache.flink.configuration.Configuration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NameListsTest {

    @Test
    void commasAndSemicolonsBothSeparateNames() {
        Configuration conf = new Configuration();
        conf.setString("table-list", "public.orders, public.customers;shop.products,");

        assertThat(NameLists.get(conf, PostgresLogSourceOptions.TABLE_LIST))
                .containsExactly("public.orders", "public.customers", "shop.products");
        assertThat(NameLists.get(new Configuration(), PostgresLogSourceOptions.SCHEMA_LIST))
                .isNull();
    }
}
