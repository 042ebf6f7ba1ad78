-- enriched-orders.sql: the analytics job's enriched-orders output in Flink SQL. Every order change
-- of the ingest job's orders topic (an order placed or changed), joined at processing time with
-- the views job's Redis hashes of products and customers (lookup joins on the 'changeflow-redis'
-- connector, a partial cache of 10 s like the job's), written to Kafka keyed by order id, exactly
-- once. An order whose product or customer has no view gets category / region 'unknown' and
-- enrichment 'missing' (the job's words); deletes are left out.
--
-- Variables: KAFKA_BOOTSTRAP, ORDERS_TOPIC (the ingest job's orders topic), GROUP_ID (the consumer
--            group is GROUP_ID-enriched-orders), REDIS_URI, VIEW_KEY_PREFIX (the views job's
--            view.key-prefix, e.g. view), ENRICHED_TOPIC
-- Jars:      flink-connector-kafka-3.4.0-1.20 + kafka-clients-3.9.1, Changeflow's
--            sql-redis-connector + Lettuce 6.3.2 (Netty, Reactor)

SET 'pipeline.name' = 'changeflow-sql-enriched-orders';
SET 'execution.runtime-mode' = 'streaming';
SET 'execution.checkpointing.interval' = '5 s';
SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';
SET 'table.local-time-zone' = 'UTC';

-- each change once, as an append row (format 'json' of the change envelope)
CREATE TEMPORARY TABLE order_changes (
  op STRING,
  `after` ROW<id BIGINT, customer_id BIGINT, product_id BIGINT, amount DECIMAL(10, 2),
              status STRING, created_at TIMESTAMP(3)>,
  proc_time AS PROCTIME()
) WITH (
  'connector' = 'kafka',
  'topic' = '${ORDERS_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'properties.group.id' = '${GROUP_ID}-enriched-orders',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

CREATE TEMPORARY VIEW orders AS
SELECT `after`.id AS order_id, `after`.customer_id AS customer_id,
       `after`.product_id AS product_id, `after`.amount AS amount, `after`.status AS status,
       `after`.created_at AS created_at, op, proc_time
FROM order_changes
WHERE op IN ('c', 'r', 'u');

-- the views job's hashes: <prefix>:products:{id}, <prefix>:customers:{id}
CREATE TEMPORARY TABLE products (
  id BIGINT,
  category STRING,
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'changeflow-redis',
  'uri' = '${REDIS_URI}',
  'key.prefix' = '${VIEW_KEY_PREFIX}:products:',
  'key.hash-tag' = 'true',
  'lookup.cache' = 'PARTIAL',
  'lookup.partial-cache.expire-after-write' = '10 s',
  'lookup.partial-cache.max-rows' = '100000'
);

CREATE TEMPORARY TABLE customers (
  id BIGINT,
  region STRING,
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'changeflow-redis',
  'uri' = '${REDIS_URI}',
  'key.prefix' = '${VIEW_KEY_PREFIX}:customers:',
  'key.hash-tag' = 'true',
  'lookup.cache' = 'PARTIAL',
  'lookup.partial-cache.expire-after-write' = '10 s',
  'lookup.partial-cache.max-rows' = '100000'
);

CREATE TEMPORARY TABLE enriched_orders (
  order_id BIGINT,
  customer_id BIGINT,
  product_id BIGINT,
  amount DECIMAL(10, 2),
  status STRING,
  op STRING,
  created_at TIMESTAMP(3),
  category STRING,
  region STRING,
  enrichment STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${ENRICHED_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'key.format' = 'json',
  'key.fields' = 'order_id',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = '${GROUP_ID}-enriched-orders',
  'properties.transaction.timeout.ms' = '900000'
);

INSERT INTO enriched_orders
SELECT o.order_id, o.customer_id, o.product_id, o.amount, o.status, o.op, o.created_at,
       COALESCE(p.category, 'unknown'), COALESCE(c.region, 'unknown'),
       CASE WHEN p.id IS NULL OR c.id IS NULL THEN 'missing' ELSE 'ok' END
FROM orders AS o
LEFT JOIN products FOR SYSTEM_TIME AS OF o.proc_time AS p ON o.product_id = p.id
LEFT JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id;
