-- The demo shop (the same tables as `changeflow demo`, cli/.../demo/Shop.java), run once by the
-- postgres image on an empty data directory, as superuser postgres in database shop.

-- The CDC user: LOGIN and REPLICATION for the log source (pgoutput slot), owner of the tables so it
-- may create the publication for them (log source) and triggers and audit tables (trigger source).
CREATE ROLE cdc WITH LOGIN REPLICATION PASSWORD 'cdc';
GRANT CONNECT, CREATE ON DATABASE shop TO cdc;
GRANT USAGE, CREATE ON SCHEMA public TO cdc;

CREATE TABLE customers (
    id     bigint PRIMARY KEY,
    name   text   NOT NULL,
    region text   NOT NULL
);
CREATE TABLE products (
    id       bigint        PRIMARY KEY,
    title    text          NOT NULL,
    category text          NOT NULL,
    price    numeric(10,2) NOT NULL
);
CREATE TABLE orders (
    id          bigint        PRIMARY KEY,
    customer_id bigint        NOT NULL,
    product_id  bigint        NOT NULL,
    amount      numeric(10,2) NOT NULL,
    status      text          NOT NULL,
    created_at  timestamp(3)  NOT NULL
);

-- full before-images of updates and deletes (the log source checks this)
ALTER TABLE customers REPLICA IDENTITY FULL;
ALTER TABLE products REPLICA IDENTITY FULL;
ALTER TABLE orders REPLICA IDENTITY FULL;

ALTER TABLE customers OWNER TO cdc;
ALTER TABLE products OWNER TO cdc;
ALTER TABLE orders OWNER TO cdc;

-- seed rows as the demo makes them: 50 customers in 4 regions, 20 products in 5 categories
INSERT INTO customers
SELECT id, 'customer ' || id, (ARRAY['north', 'south', 'east', 'west'])[id % 4 + 1]
FROM generate_series(1, 50) AS id;

INSERT INTO products
SELECT id, 'product ' || id, (ARRAY['books', 'games', 'garden', 'kitchen', 'toys'])[id % 5 + 1],
       (500 + id * 125) / 100.0
FROM generate_series(1, 20) AS id;

-- 10 orders, half of them for the hot product 1
INSERT INTO orders
SELECT n, 1 + (n * 7) % 50, CASE WHEN n % 2 = 0 THEN 1 ELSE 1 + (n * 3) % 20 END, p.price, 'new',
       (now() AT TIME ZONE 'UTC') - make_interval(mins => 10 - n)
FROM generate_series(1, 10) AS n
JOIN products p ON p.id = CASE WHEN n % 2 = 0 THEN 1 ELSE 1 + (n * 3) % 20 END;
