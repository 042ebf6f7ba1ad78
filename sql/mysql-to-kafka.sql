-- mysql-to-kafka.sql: the demo shop's tables (orders, customers, products) captured from the
-- MySQL/MariaDB binlog (Flink CDC's mysql-cdc, incremental snapshot then binlog) into one Kafka
-- topic per table, ${TOPIC_PREFIX}.<db>.<table> (the ingest job's names for schema-less
-- databases), as debezium-json envelopes keyed by the primary key as JSON, exactly once.
--
-- Variables: KAFKA_BOOTSTRAP, MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD, MYSQL_DATABASE,
--            TOPIC_PREFIX (the ingest job uses cdc)
-- Jars:      flink-sql-connector-mysql-cdc-3.5.0, com.mysql:mysql-connector-j-8.0.33,
--            flink-connector-kafka-3.4.0-1.20, kafka-clients-3.9.1 (flink-json is in lib/)
-- The server wants binlog_format=ROW and binlog_row_image=FULL; the user SELECT, RELOAD,
-- SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT. Tables as in Shop.java, with
-- DATETIME(3) for created_at.

SET 'pipeline.name' = 'changeflow-sql-mysql-to-kafka';
SET 'execution.runtime-mode' = 'streaming';
-- Kafka transactions commit on checkpoints: the interval is the end-to-end latency
SET 'execution.checkpointing.interval' = '5 s';
SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';

CREATE TEMPORARY TABLE my_customers (
  id BIGINT,
  name STRING,
  region STRING,
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'mysql-cdc',
  'hostname' = '${MYSQL_HOST}',
  'port' = '${MYSQL_PORT}',
  'username' = '${MYSQL_USER}',
  'password' = '${MYSQL_PASSWORD}',
  'database-name' = '${MYSQL_DATABASE}',
  'table-name' = 'customers',
  -- each source is a replica of its own: distinct server ids
  'server-id' = '5401',
  'server-time-zone' = 'UTC'
);

CREATE TEMPORARY TABLE my_products (
  id BIGINT,
  title STRING,
  category STRING,
  price DECIMAL(10, 2),
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'mysql-cdc',
  'hostname' = '${MYSQL_HOST}',
  'port' = '${MYSQL_PORT}',
  'username' = '${MYSQL_USER}',
  'password' = '${MYSQL_PASSWORD}',
  'database-name' = '${MYSQL_DATABASE}',
  'table-name' = 'products',
  -- each source is a replica of its own: distinct server ids
  'server-id' = '5402',
  'server-time-zone' = 'UTC'
);

CREATE TEMPORARY TABLE my_orders (
  id BIGINT,
  customer_id BIGINT,
  product_id BIGINT,
  amount DECIMAL(10, 2),
  status STRING,
  created_at TIMESTAMP(3),
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'mysql-cdc',
  'hostname' = '${MYSQL_HOST}',
  'port' = '${MYSQL_PORT}',
  'username' = '${MYSQL_USER}',
  'password' = '${MYSQL_PASSWORD}',
  'database-name' = '${MYSQL_DATABASE}',
  'table-name' = 'orders',
  -- each source is a replica of its own: distinct server ids
  'server-id' = '5403',
  'server-time-zone' = 'UTC'
);

-- debezium-json takes no PRIMARY KEY on a 'kafka' table: the record key comes from key.fields
CREATE TEMPORARY TABLE kafka_customers (
  id BIGINT,
  name STRING,
  region STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${TOPIC_PREFIX}.${MYSQL_DATABASE}.customers',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'key.format' = 'json',
  'key.fields' = 'id',
  'value.format' = 'debezium-json',
  'value.debezium-json.encode.decimal-as-plain-number' = 'true',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'changeflow-sql-mysql-customers',
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
  'topic' = '${TOPIC_PREFIX}.${MYSQL_DATABASE}.products',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'key.format' = 'json',
  'key.fields' = 'id',
  'value.format' = 'debezium-json',
  'value.debezium-json.encode.decimal-as-plain-number' = 'true',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'changeflow-sql-mysql-products',
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
  'topic' = '${TOPIC_PREFIX}.${MYSQL_DATABASE}.orders',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
  'key.format' = 'json',
  'key.fields' = 'id',
  'value.format' = 'debezium-json',
  'value.debezium-json.encode.decimal-as-plain-number' = 'true',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'changeflow-sql-mysql-orders',
  'properties.transaction.timeout.ms' = '900000'
);

-- one job for the three tables
EXECUTE STATEMENT SET
BEGIN
  INSERT INTO kafka_customers SELECT * FROM my_customers;
  INSERT INTO kafka_products SELECT * FROM my_products;
  INSERT INTO kafka_orders SELECT * FROM my_orders;
END;
