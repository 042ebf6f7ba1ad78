-- alerts.sql: the alerts job's patterns (jobs/.../alerts/AlertsJob) in Flink SQL, with
-- MATCH_RECOGNIZE over the orders change topic read as an append stream (format 'json' of the
-- change envelope: each change one row; debezium-json would make a changelog, which
-- MATCH_RECOGNIZE does not take).
--   * card testing: 3 or more orders of at most 5.00 in a row, then one of at least 200.00, within
--     60 s;
--   * velocity: 5 orders within 60 s;
--   * cancel after pay: an order paid, then cancelled within 60 s.
-- The thresholds are the fraud_rules defaults of the demo. Unlike the DataStream job, a script
-- cannot take them from the captured fraud_rules table while it runs: MATCH_RECOGNIZE's PATTERN
-- and DEFINE are fixed when the statement is planned; change them and restart from a savepoint.
-- Alerts go to Kafka (JSON keyed by alert id, exactly once), with the job's alert ids
-- (rule:customer:firstOrder-lastOrder) without its position hash.
--
-- Variables: KAFKA_BOOTSTRAP, ORDERS_TOPIC (the ingest job's orders topic), GROUP_ID (the
--            consumer group is GROUP_ID-alerts, so it can be the analytics script's), ALERTS_TOPIC
-- Jars:      flink-connector-kafka-3.4.0-1.20 + kafka-clients-3.9.1

SET 'pipeline.name' = 'changeflow-sql-alerts';
SET 'execution.runtime-mode' = 'streaming';
SET 'execution.checkpointing.interval' = '5 s';
SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';
SET 'table.local-time-zone' = 'UTC';
SET 'parallelism.default' = '1';

-- every order change once; event time: created_at for an order placed, the commit time for a
-- status change (the row has no time column of its own for it), 60 s out of orderness
CREATE TEMPORARY TABLE order_changes (
  op STRING,
  `before` ROW<id BIGINT, customer_id BIGINT, amount DECIMAL(10, 2), status STRING>,
  `after` ROW<id BIGINT, customer_id BIGINT, amount DECIMAL(10, 2), status STRING,
              created_at TIMESTAMP(3)>,
  source ROW<ts_ms BIGINT>,
  event_time AS CASE
      WHEN op IN ('c', 'r') THEN `after`.created_at
      ELSE CAST(TO_TIMESTAMP_LTZ(source.ts_ms, 3) AS TIMESTAMP(3)) END,
  WATERMARK FOR event_time AS event_time - INTERVAL '60' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${ORDERS_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'properties.group.id' = '${GROUP_ID}-alerts',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- orders placed, and status changes, as the job's OrderActivity
CREATE TEMPORARY VIEW placed AS
SELECT `after`.customer_id AS customer_id, `after`.id AS order_id, `after`.amount AS amount,
       event_time
FROM order_changes
WHERE op IN ('c', 'r');

CREATE TEMPORARY VIEW status_changes AS
SELECT `after`.customer_id AS customer_id, `after`.id AS order_id, `after`.amount AS amount,
       `after`.status AS status, event_time
FROM order_changes
WHERE op = 'u' AND `before`.status <> `after`.status;

CREATE TEMPORARY TABLE alerts (
  alert_id STRING,
  rule_id STRING,
  kind STRING,
  customer_id BIGINT,
  event_time TIMESTAMP(3),
  first_order BIGINT,
  last_order BIGINT,
  orders BIGINT,
  amount DECIMAL(20, 2)
) WITH (
  'connector' = 'kafka',
  'topic' = '${ALERTS_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'key.format' = 'raw',
  'key.fields' = 'alert_id',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = '${GROUP_ID}-alerts',
  'properties.transaction.timeout.ms' = '900000'
);

-- one INSERT, so one Kafka sink: sinks of one statement set with the same
-- transactional-id prefix would fence each other's transactions
INSERT INTO alerts
SELECT CONCAT('ct:', CAST(customer_id AS STRING), ':', CAST(first_order AS STRING), '-',
              CAST(last_order AS STRING)),
       'ct', 'card_testing', customer_id, alert_time, first_order, last_order, orders, amount
FROM placed
MATCH_RECOGNIZE (
  PARTITION BY customer_id
  ORDER BY event_time
  MEASURES FIRST(S.order_id) AS first_order, L.order_id AS last_order,
           COUNT(S.order_id) + 1 AS orders, SUM(S.amount) + L.amount AS amount,
           L.event_time AS alert_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP PAST LAST ROW
  PATTERN (S{3,} L) WITHIN INTERVAL '60' SECOND
  DEFINE
    S AS S.amount <= 5.00,
    L AS L.amount >= 200.00
)
UNION ALL
SELECT CONCAT('vel:', CAST(customer_id AS STRING), ':', CAST(first_order AS STRING), '-',
              CAST(last_order AS STRING)),
       'vel', 'velocity', customer_id, alert_time, first_order, last_order, orders, amount
FROM placed
MATCH_RECOGNIZE (
  PARTITION BY customer_id
  ORDER BY event_time
  MEASURES FIRST(O.order_id) AS first_order, LAST(O.order_id) AS last_order,
           COUNT(O.order_id) AS orders, SUM(O.amount) AS amount, LAST(O.event_time) AS alert_time
  ONE ROW PER MATCH
  AFTER MATCH SKIP PAST LAST ROW
  PATTERN (O{5}) WITHIN INTERVAL '60' SECOND
  DEFINE
    O AS TRUE
)
UNION ALL
SELECT CONCAT('cap:', CAST(customer_id AS STRING), ':', CAST(order_id AS STRING), '-',
              CAST(order_id AS STRING)),
       'cap', 'cancel_after_pay', customer_id, alert_time, order_id, order_id, 1, amount
FROM status_changes
MATCH_RECOGNIZE (
  PARTITION BY customer_id, order_id
  ORDER BY event_time
  MEASURES C.event_time AS alert_time, C.amount AS amount
  ONE ROW PER MATCH
  AFTER MATCH SKIP PAST LAST ROW
  PATTERN (P C) WITHIN INTERVAL '60' SECOND
  DEFINE
    P AS P.status = 'paid',
    C AS C.status = 'cancelled'
);
