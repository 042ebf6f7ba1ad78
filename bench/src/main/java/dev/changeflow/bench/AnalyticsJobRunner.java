package dev.changeflow.bench;

import dev.changeflow.jobs.analytics.AnalyticsJob;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The job side of {@link AnalyticsBenchmark}, in a JVM of its own ({@link JobRunnerLoop}): runs
 * either {@link AnalyticsJob} ({@code --engine datastream}, {@code AnalyticsJob.prepare} with the
 * given {@code --key value} options) or the same aggregation in Flink SQL ({@code --engine sql},
 * see {@link #sql}) on a local MiniCluster.
 */
public final class AnalyticsJobRunner {

    private AnalyticsJobRunner() {}

    public static void main(String[] args) throws Exception {
        JobRunnerLoop.serve(
                args,
                (engine, options, topic, group, out) ->
                        engine.equals("sql")
                                ? sql(options, topic, group, out)
                                : datastream(options, topic, group, out));
    }

    private static JobClient datastream(
            Map<String, String> base, String topic, String group, String out) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(base);
        o.put("orders.topic", topic);
        o.put("group.id", group);
        o.put("windows.topic", out);
        o.put("enriched-orders.topic", out + ".orders");
        o.put("late.topic", out + ".late");
        o.put("dead-letter.topic", out + ".dead-letters");
        Configuration options = Configuration.fromMap(o);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        String name = AnalyticsJob.prepare(options, env);
        return env.executeAsync(name);
    }

    /**
     * The same aggregation in Flink SQL: the orders topic with the {@code debezium-json} format,
     * enriched by event-time temporal joins against versioned {@code products} / {@code customers}
     * tables ({@code upsert-kafka} topics holding the same data as the Redis views; Redis has no
     * lookup connector here), counted in a TUMBLE (1 min, per category) and a HOP (5 min every 1
     * min, per region) window TVF, results to Kafka as JSON with the same delivery guarantee.
     */
    private static JobClient sql(Map<String, String> base, String topic, String group, String out)
            throws Exception {
        String bootstrap = base.get("kafka.bootstrap-servers");
        Configuration conf = new Configuration();
        for (Map.Entry<String, String> e : base.entrySet()) {
            if (!e.getKey().startsWith("sql.")) {
                conf.setString(e.getKey(), e.getValue());
            }
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        String guarantee = base.getOrDefault("sql.delivery-guarantee", "exactly-once");
        String kafka =
                "'connector' = 'kafka', 'properties.bootstrap.servers' = '"
                        + bootstrap
                        + "', 'properties.group.id' = '"
                        + group
                        + "', 'scan.startup.mode' = 'earliest-offset'";
        tables.executeSql(
                "CREATE TEMPORARY TABLE orders ("
                        + " id BIGINT, customer_id BIGINT, product_id BIGINT,"
                        + " amount DECIMAL(12, 2), status STRING, created_at TIMESTAMP(3),"
                        + " WATERMARK FOR created_at AS created_at - INTERVAL '5' SECOND"
                        + ") WITH ("
                        + kafka
                        + ", 'topic' = '"
                        + topic
                        + "', 'format' = 'debezium-json')");
        // versioned tables; their watermark runs a day ahead of their rows, so that the temporal
        // join waits for the orders' watermark only (these topics are written once, before)
        for (String[] view :
                new String[][] {
                    {"products", "category", base.get("sql.products-topic")},
                    {"customers", "region", base.get("sql.customers-topic")}
                }) {
            tables.executeSql(
                    "CREATE TEMPORARY TABLE "
                            + view[0]
                            + " (id BIGINT, "
                            + view[1]
                            + " STRING, updated_at TIMESTAMP(3), PRIMARY KEY (id) NOT ENFORCED,"
                            + " WATERMARK FOR updated_at AS updated_at + INTERVAL '1' DAY"
                            + ") WITH ('connector' = 'upsert-kafka',"
                            + " 'properties.bootstrap.servers' = '"
                            + bootstrap
                            + "', 'properties.group.id' = '"
                            + group
                            + "-"
                            + view[0]
                            + "', 'topic' = '"
                            + view[2]
                            + "', 'key.format' = 'json', 'value.format' = 'json')");
        }
        tables.executeSql(
                "CREATE TEMPORARY TABLE windows_out ("
                        + " dimension STRING, k STRING, window_start STRING, window_end STRING,"
                        + " orders BIGINT, revenue DECIMAL(38, 2)"
                        + ") WITH ('connector' = 'kafka', 'properties.bootstrap.servers' = '"
                        + bootstrap
                        + "', 'topic' = '"
                        + out
                        + "', 'format' = 'json', 'sink.delivery-guarantee' = '"
                        + guarantee
                        + "', 'sink.transactional-id-prefix' = 'bench-sql-"
                        + group
                        + "', 'properties.transaction.timeout.ms' = '600000')");
        tables.executeSql(
                "CREATE TEMPORARY VIEW enriched AS SELECT o.id, o.amount, o.created_at,"
                        + " COALESCE(p.category, 'unknown') AS category,"
                        + " COALESCE(c.region, 'unknown') AS region"
                        + " FROM orders AS o"
                        + " LEFT JOIN products FOR SYSTEM_TIME AS OF o.created_at AS p"
                        + " ON o.product_id = p.id"
                        + " LEFT JOIN customers FOR SYSTEM_TIME AS OF o.created_at AS c"
                        + " ON o.customer_id = c.id");
        String fmt = "'yyyy-MM-dd HH:mm:ss'";
        // one INSERT (one sink, one transactional id prefix): two sinks on the same prefix
        // fence each other's transactions
        TableResult result =
                tables.executeSql(
                        "INSERT INTO windows_out SELECT 'category-1m', category,"
                                + " DATE_FORMAT(window_start, "
                                + fmt
                                + "), DATE_FORMAT(window_end, "
                                + fmt
                                + "), COUNT(*), SUM(amount)"
                                + " FROM TABLE(TUMBLE(TABLE enriched, DESCRIPTOR(created_at),"
                                + " INTERVAL '1' MINUTE))"
                                + " GROUP BY window_start, window_end, category"
                                + " UNION ALL SELECT 'region-5m', region,"
                                + " DATE_FORMAT(window_start, "
                                + fmt
                                + "), DATE_FORMAT(window_end, "
                                + fmt
                                + "), COUNT(*), SUM(amount)"
                                + " FROM TABLE(HOP(TABLE enriched, DESCRIPTOR(created_at),"
                                + " INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))"
                                + " GROUP BY window_start, window_end, region");
        return result.getJobClient().orElseThrow();
    }
}
