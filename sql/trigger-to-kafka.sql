-- trigger-to-kafka.sql: the demo shop's tables (orders, customers, products; see
-- cli/.../demo/Shop.java) captured from PostgreSQL by triggers (Changeflow's 'trigger-cdc'
-- connector: row triggers write every change with its old and new row to an audit table, the
-- source polls it in commit order) into the same Kafka topics and debezium-json envelopes as
-- postgres-to-kafka.sql, ${TOPIC_PREFIX}.<db>.<schema>.<table>, keyed by the primary key as JSON,
-- exactly once. Switching between the two scripts changes nothing downstream.
--
-- Variables: KAFKA_BOOTSTRAP, PG_HOST, PG_PORT, PG_USER, PG_PASSWORD, PG_DATABASE, PG_SCHEMA,
--            TOPIC_PREFIX (the ingest job uses cdc)
-- Jars:      Changeflow's cdc-connectors and common-schemas, Jackson, the PostgreSQL and MySQL
--            JDBC drivers (the sql-changeflow-cdc classpath), flink-connector-kafka-3.4.0-1.20,
--            kafka-clients-3.9.1 (flink-json is in Flink's lib/)
-- Before the first run, install the triggers and the audit table (changeflow.changeflow_audit):
--   changeflow triggers install --source postgres --hostname ${PG_HOST} --port ${PG_PORT} \
--     --database-name ${PG_DATABASE} --username ${PG_USER} --password ${PG_PASSWORD} \
--     --tables ${PG_SCHEMA}.customers,${PG_SCHEMA}.products,${PG_SCHEMA}.orders
-- (the source's preflight fails naming that command when a table has no trigger). Every
-- table is its own source reading and purging only its table's audit rows; do not run a second
-- trigger consumer of the same tables (e.g. changeflow ingest --source trigger): each purges
-- the rows it consumed.

SET 'pipeline.name' = 'changeflow-sql-trigger-to-kafka';
SET 'execution.runtime-mode' = 'streaming';
-- Kafka transactions commit on checkpoints: the interval is the end-to-end latency
SET 'execution.checkpointing.interval' = '5 s';
SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';

CREATE TEMPORARY TABLE pg_customers (
  id BIGINT,
  name STRING,
  region STRING,
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'trigger-cdc',
  'trigger.dialect' = 'postgres',
  'hostname' = '${PG_HOST}',
  'port' = '${PG_PORT}',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'database-name' = '${PG_DATABASE}',
  'table-list' = '${PG_SCHEMA}.customers'
);

CREATE TEMPORARY TABLE pg_products (
  id BIGINT,
  title STRING,
  category STRING,
  price DECIMAL(10, 2),
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'trigger-cdc',
  'trigger.dialect' = 'postgres',
  'hostname' = '${PG_HOST}',
  'port' = '${PG_PORT}',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'database-name' = '${PG_DATABASE}',
  'table-list' = '${PG_SCHEMA}.products'
);

CREATE TEMPORARY TABLE pg_orders (
  id BIGINT,
  customer_id BIGINT,
  product_id BIGINT,
  amount DECIMAL(10, 2),
  status STRING,
  created_at TIMESTAMP(3),
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'trigger-cdc',
  'trigger.dialect' = 'postgres',
  'hostname' = '${PG_HOST}',
  'port' = '${PG_PORT}',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'database-name' = '${PG_DATABASE}',
  'table-list' = '${PG_SCHEMA}.orders'
);

-- debezium-json takes no PRIMARY KEY on a 'kafka' table: the record key comes from key.fields
CREATE TEMPORARY TABLE kafka_customers (
  id BIGINT,
  name STRING,
  region STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${TOPIC_PREFIX}.${PG_DATABASE}.${PG_SCHEMA}.customers',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'key.format' = 'json',
  'key.fields' = 'id',
  'value.format' = 'debezium-json',
  'value.debezium-json.encode.decimal-as-plain-number' = 'true',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'changeflow-sql-trigger-customers',
  -- below the broker's transaction.max.timeout.ms (15 min by default)
  'properties.transaction.timeout.ms' = '900000'
);

CREATE TEMPORARY TABLE kafka_products (
  id BIGINT,
  title STRING,
  category STRING,
  price DECIMAL(10, 2)
) WITH (
  'connector' = 'kafka',
  'topic' = '${TOPIC_PREFIX}.${PG_DATABASE}.${PG_SCHEMA}.products',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'key.format' = 'json',
  'key.fields' = 'id',
  'value.format' = 'debezium-json',
  'value.debezium-json.encode.decimal-as-plain-number' = 'true',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'changeflow-sql-trigger-products',
  'properties.transaction.timeout.ms' = '900000'
);

CREATE TEMPORARY TABLE kafka_orders (
  id BIGINT,
  customer_id BIGINT,
  product_id BIGINT,
  amount DECIMAL(10, 2),
  status STRING,
  created_at TIMESTAMP(3)
) WITH (
  'connector' = 'kafka',
  'topic' = '${TOPIC_PREFIX}.${PG_DATABASE}.${PG_SCHEMA}.orders',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'key.format' = 'json',
  'key.fields' = 'id',
  'value.format' = 'debezium-json',
  'value.debezium-json.encode.decimal-as-plain-number' = 'true',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'changeflow-sql-trigger-orders',
  'properties.transaction.timeout.ms' = '900000'
);

-- one job for the three tables
EXECUTE STATEMENT SET
BEGIN
  INSERT INTO kafka_customers SELECT * FROM pg_customers;
  INSERT INTO kafka_products SELECT * FROM pg_products;
  INSERT INTO kafka_orders SELECT * FROM pg_orders;
END;
