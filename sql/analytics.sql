-- analytics.sql: the analytics job (jobs/.../analytics/AnalyticsJob) in Flink SQL. Order changes
-- from the ingest job's topic (debezium-json), enriched with category and region by event-time
-- temporal joins against the products/customers change topics, counted per category in 1-minute
-- TUMBLE windows and per region in 5-minute HOP windows sliding by 1 minute; cancelled orders do
-- not count, and an update or delete retracts what the old row added. Results, shaped like the
-- job's WindowResult (same id dimension:key:windowStart, same JSON fields), go to
--   * Kafka (upsert-kafka, keyed by id, exactly once),
--   * Elasticsearch 7 (document id = id, so a replay overwrites),
--   * S3 as Parquet (filesystem sink, files committed on checkpoints, partitioned by dt/hour).
--
-- Variables: KAFKA_BOOTSTRAP, TOPIC_PREFIX, SOURCE_DB, SOURCE_SCHEMA (the ingest topics are
--            TOPIC_PREFIX.SOURCE_DB.SOURCE_SCHEMA.<table>), GROUP_ID, WINDOWS_TOPIC,
--            ES_HOSTS (http://host:port), ES_INDEX, S3_PATH (s3://bucket/path),
--            S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY (local runs; a cluster configures s3 in
--            its config.yaml and the s3-fs-hadoop plugin)
-- Jars:      flink-connector-kafka-3.4.0-1.20 + kafka-clients-3.9.1,
--            flink-sql-connector-elasticsearch7-3.0.1-1.17, flink-parquet-1.20.1 + parquet-hadoop
--            1.13.1 + hadoop-client-api/runtime 3.3.6; flink-s3-fs-hadoop-1.20.1 as a plugin

SET 'pipeline.name' = 'changeflow-sql-analytics';
SET 'execution.runtime-mode' = 'streaming';
SET 'execution.checkpointing.interval' = '5 s';
SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';
-- window bounds are UTC, as the DataStream job reads created_at
SET 'table.local-time-zone' = 'UTC';
-- every orders source subtask must own a partition of the orders topic (see the orders table)
SET 'parallelism.default' = '1';
SET 's3.endpoint' = '${S3_ENDPOINT}';
SET 's3.path.style.access' = 'true';
SET 's3.access-key' = '${S3_ACCESS_KEY}';
SET 's3.secret-key' = '${S3_SECRET_KEY}';

-- order changes; event time from created_at, 5 s out of orderness (the job's default). No idle
-- timeout on this side, deliberately: while the orders side of the temporal joins below is idle,
-- the joins forward the catalog side's far-future watermark, every open window fires at once and
-- every later order is late. Without idleness, a source subtask that owns no orders partition, or
-- a partition that gets no orders, holds the windows back (as in any Flink job): hence
-- parallelism 1 above; raise it only up to the number of partitions of the orders topic.
CREATE TEMPORARY TABLE orders (
  id BIGINT,
  customer_id BIGINT,
  product_id BIGINT,
  amount DECIMAL(10, 2),
  status STRING,
  created_at TIMESTAMP(3),
  WATERMARK FOR created_at AS created_at - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${TOPIC_PREFIX}.${SOURCE_DB}.${SOURCE_SCHEMA}.orders',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'properties.group.id' = '${GROUP_ID}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'debezium-json'
);

-- Versioned tables for the temporal joins. Their rows carry no time of their own (the catalog is
-- current data, like the job's Redis views), so every version is valid from the epoch and the
-- watermark of this side never holds the join back: an order joins the latest version seen. A
-- catalog partition (or source subtask) that has no rows emits no watermark at all: it turns idle
-- after 30 s, so it does not hold the join back either.
CREATE TEMPORARY TABLE products (
  id BIGINT,
  title STRING,
  category STRING,
  price DECIMAL(10, 2),
  valid_from AS TO_TIMESTAMP('1970-01-01 00:00:00'),
  PRIMARY KEY (id) NOT ENFORCED,
  WATERMARK FOR valid_from AS TO_TIMESTAMP('9999-12-31 00:00:00')
) WITH (
  'connector' = 'kafka',
  'topic' = '${TOPIC_PREFIX}.${SOURCE_DB}.${SOURCE_SCHEMA}.products',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'properties.group.id' = '${GROUP_ID}-products',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '30 s',
  'format' = 'debezium-json'
);

CREATE TEMPORARY TABLE customers (
  id BIGINT,
  name STRING,
  region STRING,
  valid_from AS TO_TIMESTAMP('1970-01-01 00:00:00'),
  PRIMARY KEY (id) NOT ENFORCED,
  WATERMARK FOR valid_from AS TO_TIMESTAMP('9999-12-31 00:00:00')
) WITH (
  'connector' = 'kafka',
  'topic' = '${TOPIC_PREFIX}.${SOURCE_DB}.${SOURCE_SCHEMA}.customers',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'properties.group.id' = '${GROUP_ID}-customers',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '30 s',
  'format' = 'debezium-json'
);

-- the job's fields, so both write the same JSON
CREATE TEMPORARY TABLE windows_kafka (
  id STRING,
  dimension STRING,
  `key` STRING,
  `windowStart` BIGINT,
  `windowEnd` BIGINT,
  orders BIGINT,
  `revenueCents` BIGINT,
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = '${WINDOWS_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'key.format' = 'raw',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'changeflow-sql-analytics',
  'properties.transaction.timeout.ms' = '900000'
);

CREATE TEMPORARY TABLE windows_elasticsearch (
  id STRING,
  dimension STRING,
  `key` STRING,
  `windowStart` BIGINT,
  `windowEnd` BIGINT,
  orders BIGINT,
  `revenueCents` BIGINT,
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'elasticsearch-7',
  'hosts' = '${ES_HOSTS}',
  'index' = '${ES_INDEX}',
  'sink.bulk-flush.max-actions' = '500',
  'sink.bulk-flush.interval' = '1 s'
);

CREATE TEMPORARY TABLE windows_s3 (
  id STRING,
  dimension STRING,
  `key` STRING,
  `windowStart` BIGINT,
  `windowEnd` BIGINT,
  orders BIGINT,
  `revenueCents` BIGINT,
  dt STRING,
  `hour` STRING
) PARTITIONED BY (dt, `hour`) WITH (
  'connector' = 'filesystem',
  'path' = '${S3_PATH}',
  'format' = 'parquet',
  'parquet.compression' = 'SNAPPY'
);

CREATE TEMPORARY VIEW enriched AS
SELECT
  o.id,
  o.amount,
  o.created_at,
  COALESCE(p.category, 'unknown') AS category,
  COALESCE(c.region, 'unknown') AS region
FROM orders AS o
LEFT JOIN products FOR SYSTEM_TIME AS OF o.created_at AS p ON o.product_id = p.id
LEFT JOIN customers FOR SYSTEM_TIME AS OF o.created_at AS c ON o.customer_id = c.id
WHERE o.status <> 'cancelled';

CREATE TEMPORARY VIEW windows AS
SELECT
  CONCAT(dimension, ':', `key`, ':', CAST(`windowStart` AS STRING)) AS id,
  dimension, `key`, `windowStart`, `windowEnd`, orders, `revenueCents`, window_start
FROM (
  SELECT
    'category-1m' AS dimension,
    category AS `key`,
    CAST(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00', window_start) AS BIGINT) * 1000
      AS `windowStart`,
    CAST(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00', window_end) AS BIGINT) * 1000
      AS `windowEnd`,
    COUNT(*) AS orders,
    CAST(SUM(amount) * 100 AS BIGINT) AS `revenueCents`,
    window_start
  FROM TABLE(TUMBLE(TABLE enriched, DESCRIPTOR(created_at), INTERVAL '1' MINUTE))
  GROUP BY window_start, window_end, category
  UNION ALL
  SELECT
    'region-5m',
    region,
    CAST(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00', window_start) AS BIGINT) * 1000,
    CAST(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00', window_end) AS BIGINT) * 1000,
    COUNT(*),
    CAST(SUM(amount) * 100 AS BIGINT),
    window_start
  FROM TABLE(HOP(TABLE enriched, DESCRIPTOR(created_at), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
  GROUP BY window_start, window_end, region
);

EXECUTE STATEMENT SET
BEGIN
  INSERT INTO windows_kafka
    SELECT id, dimension, `key`, `windowStart`, `windowEnd`, orders, `revenueCents` FROM windows;
  INSERT INTO windows_elasticsearch
    SELECT id, dimension, `key`, `windowStart`, `windowEnd`, orders, `revenueCents` FROM windows;
  INSERT INTO windows_s3
    SELECT id, dimension, `key`, `windowStart`, `windowEnd`, orders, `revenueCents`,
      DATE_FORMAT(window_start, 'yyyy-MM-dd'), DATE_FORMAT(window_start, 'HH')
    FROM windows;
END;
