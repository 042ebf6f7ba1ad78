package dev.changeflow.cli.sql;

import dev.changeflow.cli.sql.SqlTestSupport.Result;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.FlinkCluster;
import dev.changeflow.localstack.server.FlinkRestClient;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.MariaDbServer;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.changeflow.cli.sql.SqlTestSupport.changeflow;
import static dev.changeflow.cli.sql.SqlTestSupport.readCommitted;
import static dev.changeflow.cli.sql.SqlTestSupport.replay;
import static dev.changeflow.cli.sql.SqlTestSupport.rows;
import static dev.changeflow.cli.sql.SqlTestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code sql/mysql-to-kafka.sql} through {@code changeflow sql run --cluster} against MariaDB's
 * binlog (the fat {@code flink-sql-connector-mysql-cdc} 3.5.0 and MySQL's driver shipped with the
 * job): snapshot, insert, update and delete of the shop tables replay into the tables from the
 * debezium-json topics.
 */
@LocalStackTest(services = {Service.KAFKA, Service.MARIADB, Service.FLINK})
class MySqlToKafkaSqlIT {

    private static final String DB = "sql_my";
    private static final String PREFIX = "sqlit";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void capturesTheShopTablesIntoDebeziumJsonTopics(
            KafkaServer kafka, MariaDbServer mariadb, FlinkCluster flink) throws Exception {
        try (Connection db = mariadb.connect();
                Statement s = db.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DB);
            s.execute("CREATE DATABASE " + DB);
            s.execute(
                    "CREATE TABLE sql_my.customers (id bigint PRIMARY KEY, name varchar(100) NOT"
                            + " NULL, region varchar(20) NOT NULL)");
            s.execute(
                    "CREATE TABLE sql_my.products (id bigint PRIMARY KEY, title varchar(100) NOT"
                            + " NULL, category varchar(50) NOT NULL, price decimal(10,2) NOT NULL)");
            s.execute(
                    "CREATE TABLE sql_my.orders (id bigint PRIMARY KEY, customer_id bigint NOT"
                            + " NULL, product_id bigint NOT NULL, amount decimal(10,2) NOT NULL,"
                            + " status varchar(20) NOT NULL, created_at datetime(3) NOT NULL)");
            s.execute("INSERT INTO sql_my.customers VALUES (1, 'ann', 'eu'), (2, 'bob', 'us')");
            s.execute(
                    "INSERT INTO sql_my.products VALUES (1, 'pen', 'office', 1.50),"
                            + " (2, 'lamp', 'home', 24.99)");
            s.execute(
                    "INSERT INTO sql_my.orders VALUES"
                            + " (1, 1, 1, 3.00, 'new', '2024-05-01 10:00:00.125'),"
                            + " (2, 2, 2, 24.99, 'new', '2024-05-01 10:01:00'),"
                            + " (3, 1, 2, 49.98, 'new', '2024-05-01 10:02:00')");
        }

        Result run =
                changeflow(
                        "sql",
                        "run",
                        "-f",
                        script("mysql-to-kafka.sql").toString(),
                        "--cluster",
                        flink.host() + ":" + flink.restPort(),
                        "--var",
                        "KAFKA_BOOTSTRAP=" + kafka.bootstrapServers(),
                        "--var",
                        "MYSQL_HOST=" + mariadb.host(),
                        "--var",
                        "MYSQL_PORT=" + mariadb.port(),
                        "--var",
                        "MYSQL_USER=" + MariaDbServer.CDC_USER,
                        "--var",
                        "MYSQL_PASSWORD=" + MariaDbServer.CDC_PASSWORD,
                        "--var",
                        "MYSQL_DATABASE=" + DB,
                        "--var",
                        "TOPIC_PREFIX=" + PREFIX);
        assertThat(run.code()).as(run.err()).isZero();
        Matcher job = Pattern.compile("Job ([0-9a-f]{32}) submitted").matcher(run.out());
        assertThat(job.find()).as(run.out()).isTrue();
        String jobId = job.group(1);
        FlinkRestClient rest = new FlinkRestClient(flink.restUrl());
        String topic = PREFIX + "." + DB + ".";
        try {
            await().atMost(TIMEOUT)
                    .untilAsserted(
                            () -> assertThat(readCommitted(kafka, topic + "orders")).hasSize(3));
            try (Connection db = mariadb.connect();
                    Statement s = db.createStatement()) {
                s.execute(
                        "INSERT INTO sql_my.orders VALUES"
                                + " (4, 2, 1, 1.50, 'new', '2024-05-01 10:03:00')");
                s.execute("UPDATE sql_my.orders SET status = 'paid', amount = 2.50 WHERE id = 1");
                s.execute("DELETE FROM sql_my.orders WHERE id = 2");
            }
            Map<Long, Map<String, Object>> table = rows(mariadb.connect(), "sql_my.orders");
            await().atMost(TIMEOUT)
                    .untilAsserted(
                            () ->
                                    assertThat(replay(readCommitted(kafka, topic + "orders")))
                                            .isEqualTo(table));
            for (String t : List.of("customers", "products")) {
                assertThat(replay(readCommitted(kafka, topic + t)))
                        .isEqualTo(rows(mariadb.connect(), "sql_my." + t));
            }
        } finally {
            rest.cancel(jobId);
            await().atMost(TIMEOUT).until(() -> "CANCELED".equals(rest.jobState(jobId)));
        }
    }
}
