-- query-to-kafka.sql: the demo shop's tables (orders, customers, products; see
-- cli/.../demo/Shop.java) captured from PostgreSQL by polling queries (Changeflow's 'query-cdc'
-- connector) into the same Kafka topics and debezium-json envelopes as postgres-to-kafka.sql,
-- ${TOPIC_PREFIX}.<db>.<schema>.<table>, keyed by the primary key as JSON, exactly once.
-- Switching between the scripts changes nothing downstream.
--
-- Variables: KAFKA_BOOTSTRAP, PG_HOST, PG_PORT, PG_USER, PG_PASSWORD, PG_DATABASE, PG_SCHEMA,
--            TOPIC_PREFIX (the ingest job uses cdc)
-- Jars:      Changeflow's cdc-connectors and common-schemas, Jackson, the PostgreSQL and MySQL
--            JDBC drivers (the sql-changeflow-cdc classpath), flink-connector-kafka-3.4.0-1.20,
--            kafka-clients-3.9.1 (flink-json is in Flink's lib/)
-- The shop's ids are plain bigint keys (no sequence), so 'incrementing' mode cannot be used and
-- changes are found by a last-modified column the database maintains. Shop.java's tables do not
-- have one: before the first run, add it to each table (here orders) with an index for the polls:
--   ALTER TABLE orders ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
--   CREATE INDEX ON orders (updated_at, id);
--   CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS
--     $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
--   CREATE TRIGGER orders_updated_at BEFORE UPDATE ON orders
--     FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
-- (updated_at is not a column of the Flink tables: the topics keep postgres-to-kafka.sql's rows.)
-- Polling sees the latest row, not each change: an update has no old row and a hard delete is
-- found by a key scan every 'query.delete-scan.interval' with only the key, so the tables are
-- upsert changelogs with a PRIMARY KEY; Flink's planner keeps the last row per key
-- (ChangelogNormalize, in state) and writes full 'c'/'d' envelopes like the log-based script.
-- Inserts and updates are seen at most 'query.horizon.margin' (1 s) plus one poll late.

SET 'pipeline.name' = 'changeflow-sql-query-to-kafka';
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
  'connector' = 'query-cdc',
  'query.dialect' = 'postgres',
  'hostname' = '${PG_HOST}',
  'port' = '${PG_PORT}',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'database-name' = '${PG_DATABASE}',
  'table-list' = '${PG_SCHEMA}.customers',
  'query.tables' = '${PG_SCHEMA}.customers:timestamp=updated_at,id',
  'query.delete-scan.interval' = '10 s'
);

CREATE TEMPORARY TABLE pg_products (
  id BIGINT,
  title STRING,
  category STRING,
  price DECIMAL(10, 2),
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'query-cdc',
  'query.dialect' = 'postgres',
  'hostname' = '${PG_HOST}',
  'port' = '${PG_PORT}',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'database-name' = '${PG_DATABASE}',
  'table-list' = '${PG_SCHEMA}.products',
  'query.tables' = '${PG_SCHEMA}.products:timestamp=updated_at,id',
  'query.delete-scan.interval' = '10 s'
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
  'connector' = 'query-cdc',
  'query.dialect' = 'postgres',
  'hostname' = '${PG_HOST}',
  'port' = '${PG_PORT}',
  'username' = '${PG_USER}',
  'password' = '${PG_PASSWORD}',
  'database-name' = '${PG_DATABASE}',
  'table-list' = '${PG_SCHEMA}.orders',
  'query.tables' = '${PG_SCHEMA}.orders:timestamp=updated_at,id',
  'query.delete-scan.interval' = '10 s'
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
  'sink.transactional-id-prefix' = 'changeflow-sql-query-customers',
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
  'sink.transactional-id-prefix' = 'changeflow-sql-query-products',
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
  'sink.transactional-id-prefix' = 'changeflow-sql-query-orders',
  'properties.transaction.timeout.ms' = '900000'
);

-- one job for the three tables
EXECUTE STATEMENT SET
BEGIN
  INSERT INTO kafka_customers SELECT * FROM pg_customers;
  INSERT INTO kafka_products SELECT * FROM pg_products;
  INSERT INTO kafka_orders SELECT * FROM pg_orders;
END;
