-- postgres-to-kafka.sql: the demo shop's tables (orders, customers, products; see
-- cli/.../demo/Shop.java) captured from PostgreSQL's WAL (Flink CDC's postgres-cdc, pgoutput)
-- into one Kafka topic per table, ${TOPIC_PREFIX}.<db>.<schema>.<table> (the ingest job's
-- names), as debezium-json envelopes keyed by the primary key as JSON, exactly once.
--
-- Variables: KAFKA_BOOTSTRAP, PG_HOST, PG_PORT, PG_USER, PG_PASSWORD, PG_DATABASE, PG_SCHEMA,
--            TOPIC_PREFIX (the ingest job uses cdc)
-- Jars:      flink-sql-connector-postgres-cdc-3.5.0, flink-connector-kafka-3.4.0-1.20,
--            kafka-clients-3.9.1 (flink-json is in Flink's lib/)
-- Tables want REPLICA IDENTITY FULL (updates and deletes then carry the old row). Each table has
-- its own replication slot, publication (created on first start, filtered to the table) and
-- Debezium server name (its metrics name: with one shared name the second and third source of a
-- TaskManager wait a minute for the first one's metrics), so the three sources start side by
-- side and the script can run next to the ingest job.

SET 'pipeline.name' = 'changeflow-sql-postgres-to-kafka';
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
  'connector' = 'postgres-cdc',
  'hostname' = '${PG_HOST}',
  'port' = '${PG_PORT}',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'database-name' = '${PG_DATABASE}',
  'schema-name' = '${PG_SCHEMA}',
  'table-name' = 'customers',
  'slot.name' = 'changeflow_sql_${PG_SCHEMA}_customers',
  'decoding.plugin.name' = 'pgoutput',
  'debezium.publication.name' = 'changeflow_sql_${PG_SCHEMA}_customers',
  'debezium.publication.autocreate.mode' = 'filtered',
  'debezium.database.server.name' = 'changeflow_sql_${PG_SCHEMA}_customers'
);

CREATE TEMPORARY TABLE pg_products (
  id BIGINT,
  title STRING,
  category STRING,
  price DECIMAL(10, 2),
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'postgres-cdc',
  'hostname' = '${PG_HOST}',
  'port' = '${PG_PORT}',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'database-name' = '${PG_DATABASE}',
  'schema-name' = '${PG_SCHEMA}',
  'table-name' = 'products',
  'slot.name' = 'changeflow_sql_${PG_SCHEMA}_products',
  'decoding.plugin.name' = 'pgoutput',
  'debezium.publication.name' = 'changeflow_sql_${PG_SCHEMA}_products',
  'debezium.publication.autocreate.mode' = 'filtered',
  'debezium.database.server.name' = 'changeflow_sql_${PG_SCHEMA}_products'
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
  'connector' = 'postgres-cdc',
  'hostname' = '${PG_HOST}',
  'port' = '${PG_PORT}',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'database-name' = '${PG_DATABASE}',
  'schema-name' = '${PG_SCHEMA}',
  'table-name' = 'orders',
  'slot.name' = 'changeflow_sql_${PG_SCHEMA}_orders',
  'decoding.plugin.name' = 'pgoutput',
  'debezium.publication.name' = 'changeflow_sql_${PG_SCHEMA}_orders',
  'debezium.publication.autocreate.mode' = 'filtered',
  'debezium.database.server.name' = 'changeflow_sql_${PG_SCHEMA}_orders'
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
  'sink.transactional-id-prefix' = 'changeflow-sql-pg-customers',
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
  'sink.transactional-id-prefix' = 'changeflow-sql-pg-products',
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
  'sink.transactional-id-prefix' = 'changeflow-sql-pg-orders',
  'properties.transaction.timeout.ms' = '900000'
);

-- one job for the three tables
EXECUTE STATEMENT SET
BEGIN
  INSERT INTO kafka_customers SELECT * FROM pg_customers;
  INSERT INTO kafka_products SELECT * FROM pg_products;
  INSERT INTO kafka_orders SELECT * FROM pg_orders;
END;
