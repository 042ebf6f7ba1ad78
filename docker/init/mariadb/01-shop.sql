-- The demo shop in MariaDB (the tables of cli/.../demo/Shop.java in MariaDB types), run once by the
-- mariadb image on an empty data directory, as root in database shop.

-- The CDC user for every capture method:
--   log (binlog):  SELECT (snapshot), RELOAD (snapshot locks), SHOW DATABASES,
--                  REPLICATION SLAVE (read the binlog), REPLICATION CLIENT (binlog position)
--   trigger:       TRIGGER, CREATE and INSERT/UPDATE/DELETE on shop (its audit table)
--   query:         SELECT; PROCESS for the server's state
-- an anonymous account (''@localhost) would shadow 'cdc'@'%' for local connections
DELETE FROM mysql.global_priv WHERE User = '';
FLUSH PRIVILEGES;
CREATE USER IF NOT EXISTS 'cdc'@'%' IDENTIFIED BY 'cdc';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, PROCESS ON *.* TO 'cdc'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, TRIGGER ON shop.* TO 'cdc'@'%';
FLUSH PRIVILEGES;

CREATE TABLE customers (
    id     BIGINT       NOT NULL PRIMARY KEY,
    name   VARCHAR(255) NOT NULL,
    region VARCHAR(32)  NOT NULL
);
CREATE TABLE products (
    id       BIGINT        NOT NULL PRIMARY KEY,
    title    VARCHAR(255)  NOT NULL,
    category VARCHAR(32)   NOT NULL,
    price    DECIMAL(10,2) NOT NULL
);
CREATE TABLE orders (
    id          BIGINT        NOT NULL PRIMARY KEY,
    customer_id BIGINT        NOT NULL,
    product_id  BIGINT        NOT NULL,
    amount      DECIMAL(10,2) NOT NULL,
    status      VARCHAR(16)   NOT NULL,
    created_at  DATETIME(3)   NOT NULL
);

-- seed rows as the demo makes them: 50 customers in 4 regions, 20 products in 5 categories
INSERT INTO customers
WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < 50)
SELECT id, CONCAT('customer ', id), ELT(id % 4 + 1, 'north', 'south', 'east', 'west') FROM n;

INSERT INTO products
WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < 20)
SELECT id, CONCAT('product ', id), ELT(id % 5 + 1, 'books', 'games', 'garden', 'kitchen', 'toys'),
       (500 + id * 125) / 100
FROM n;

-- 10 orders, half of them for the hot product 1
INSERT INTO orders
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
SELECT n.i, 1 + (n.i * 7) % 50, p.id, p.price, 'new',
       UTC_TIMESTAMP(3) - INTERVAL (10 - n.i) MINUTE
FROM n JOIN products p ON p.id = IF(n.i % 2 = 0, 1, 1 + (n.i * 3) % 20);
