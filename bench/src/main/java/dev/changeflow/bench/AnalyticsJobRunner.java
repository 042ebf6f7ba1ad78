package dev.changeflow.bench;

import dev.changeflow.jobs.analytics.AnalyticsJob;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The job side of {@link AnalyticsBenchmark}, in a JVM of its own ({@link JobRunnerLoop}): runs
 * either {@link AnalyticsJob} ({@code --engine datastream}, {@code AnalyticsJob.prepare} with the
 * given {@code --key value} options) or the same work in Flink SQL ({@code --engine sql}, see
 * {@link #sql}) on a local MiniCluster.
 */
public final class AnalyticsJobRunner {

    private AnalyticsJobRunner() {}

    public static void main(String[] args) throws Exception {
        JobRunnerLoop.serve(args, AnalyticsJobRunner::datastream, AnalyticsJobRunner::sql);
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
     * The same work in Flink SQL: the orders topic with the {@code debezium-json} format, enriched
     * by processing-time lookup joins against the same Redis views as the job ({@code 'connector' =
     * 'changeflow-redis'}, a partial cache of the job's size and TTL, missing keys cached too, as
     * the job caches them), counted in a TUMBLE (1 min, per category) and a HOP (5 min every 1 min,
     * per region) window TVF; window results and every enriched order to Kafka as JSON with the
     * same delivery guarantee, like the job's two main sinks.
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
        tables.executeSql(
                "CREATE TEMPORARY TABLE orders ("
                        + " id BIGINT, customer_id BIGINT, product_id BIGINT,"
                        + " amount DECIMAL(12, 2), status STRING, created_at TIMESTAMP(3),"
                        + " proc_time AS PROCTIME(),"
                        + " WATERMARK FOR created_at AS created_at - INTERVAL '5' SECOND"
                        + ") WITH ('connector' = 'kafka', 'properties.bootstrap.servers' = '"
                        + bootstrap
                        + "', 'properties.group.id' = '"
                        + group
                        + "', 'scan.startup.mode' = 'earliest-offset', 'topic' = '"
                        + topic
                        + "', 'format' = 'debezium-json')");
        String cache =
                "'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.expire-after-write' = '"
                        + base.getOrDefault("enrichment.cache-ttl", "10 s")
                        + "', 'lookup.partial-cache.max-rows' = '"
                        + base.get("sql.cache-rows")
                        + "', 'lookup.partial-cache.cache-missing-key' = 'true'";
        for (String[] view : new String[][] {{"products", "category"}, {"customers", "region"}}) {
            tables.executeSql(
                    "CREATE TEMPORARY TABLE "
                            + view[0]
                            + " (id BIGINT, "
                            + view[1]
                            + " STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ("
                            + " 'connector' = 'changeflow-redis', 'uri' = '"
                            + base.get("redis.uri")
                            + "', 'key.prefix' = '"
                            + base.getOrDefault("view.key-prefix", "view")
                            + ":"
                            + view[0]
                            + ":', 'key.hash-tag' = 'true', "
                            + cache
                            + ")");
        }
        String sink =
                "'connector' = 'kafka', 'properties.bootstrap.servers' = '"
                        + bootstrap
                        + "', 'format' = 'json', 'sink.delivery-guarantee' = '"
                        + guarantee
                        + "', 'properties.transaction.timeout.ms' = '600000',"
                        + " 'properties.compression.type' = 'lz4', 'topic' = '";
        tables.executeSql(
                "CREATE TEMPORARY TABLE windows_out ("
                        + " dimension STRING, k STRING, window_start STRING, window_end STRING,"
                        + " orders BIGINT, revenue DECIMAL(38, 2)"
                        + ") WITH ("
                        + sink
                        + out
                        + "', 'sink.transactional-id-prefix' = 'bench-sql-"
                        + group
                        + "')");
        tables.executeSql(
                "CREATE TEMPORARY TABLE enriched_out ("
                        + " id BIGINT, customer_id BIGINT, product_id BIGINT,"
                        + " amount DECIMAL(12, 2), created_at TIMESTAMP(3), category STRING,"
                        + " region STRING, enrichment STRING"
                        + ") WITH ("
                        // the orders are a changelog (debezium-json in): written as one too
                        + sink.replace("'format' = 'json'", "'format' = 'debezium-json'")
                        + out
                        + ".orders', 'sink.transactional-id-prefix' = 'bench-sql-orders-"
                        + group
                        + "')");
        tables.executeSql(
                "CREATE TEMPORARY VIEW enriched AS SELECT o.id, o.customer_id, o.product_id,"
                        + " o.amount, o.created_at,"
                        + " COALESCE(p.category, 'unknown') AS category,"
                        + " COALESCE(c.region, 'unknown') AS region,"
                        + " CASE WHEN p.id IS NULL OR c.id IS NULL THEN 'missing' ELSE 'ok' END"
                        + " AS enrichment"
                        + " FROM orders AS o"
                        + " LEFT JOIN products FOR SYSTEM_TIME AS OF o.proc_time AS p"
                        + " ON o.product_id = p.id"
                        + " LEFT JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c"
                        + " ON o.customer_id = c.id");
        String fmt = "'yyyy-MM-dd HH:mm:ss'";
        StatementSet statements = tables.createStatementSet();
        statements.addInsertSql(
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
        statements.addInsertSql("INSERT INTO enriched_out SELECT * FROM enriched");
        TableResult result = statements.execute();
        return result.getJobClient().orElseThrow();
    }
}
