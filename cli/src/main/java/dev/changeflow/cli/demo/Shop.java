package dev.changeflow.cli.demo;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The demo's e-commerce database in PostgreSQL: customers (with a region), products (with a
 * category), and orders that move through new -> paid -> shipped or get cancelled. Counts every
 * change it makes, per table, so the demo can check the captured changes against it.
 */
final class Shop {

    static final String[] REGIONS = {"north", "south", "east", "west"};
    static final String[] CATEGORIES = {"books", "games", "garden", "kitchen", "toys"};
    static final int CUSTOMERS = 50;

    /**
     * The last customers, for whom the normal traffic never orders: the planted fraud ({@link
     * #plantFraud}) is theirs.
     */
    static final int CARD_TESTER = 48;

    static final int VELOCITY_ABUSER = 49;
    static final int CANCELS_AFTER_PAYING = 50;
    private static final int NORMAL_CUSTOMERS = 47;
    static final int PRODUCTS = 20;

    /** The hot product: about half of all orders. */
    static final int HOT_PRODUCT = 1;

    private final Connection db;
    private final Random random = new Random(42);
    private final List<Long> open = new ArrayList<>();
    private long nextOrder = 1;

    /** Changes made per table: inserts (with seed rows), updates, deletes. */
    final ChangeCounts customers = new ChangeCounts();

    final ChangeCounts products = new ChangeCounts();
    final ChangeCounts orders = new ChangeCounts();

    Shop(Connection db) {
        this.db = db;
    }

    /** Recreates the tables (REPLICA IDENTITY FULL, as the log source wants) and seeds them. */
    void create(int seedOrders) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("DROP TABLE IF EXISTS orders, products, customers, fraud_rules");
            s.execute(
                    "CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL,"
                            + " region text NOT NULL)");
            s.execute(
                    "CREATE TABLE products (id bigint PRIMARY KEY, title text NOT NULL,"
                            + " category text NOT NULL, price numeric(10,2) NOT NULL)");
            s.execute(
                    "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL,"
                            + " product_id bigint NOT NULL, amount numeric(10,2) NOT NULL,"
                            + " status text NOT NULL, created_at timestamp(3) NOT NULL)");
            // the alerts job's rules (see AlertsJob and README): thresholds the normal traffic
            // never reaches at the demo's rates
            s.execute(
                    "CREATE TABLE fraud_rules (rule_id text PRIMARY KEY, kind text NOT NULL,"
                            + " min_count int, small_amount numeric(10,2),"
                            + " large_amount numeric(10,2), window_seconds int NOT NULL,"
                            + " enabled boolean NOT NULL DEFAULT true,"
                            + " valid_from timestamp(3) NOT NULL)");
            s.execute(
                    "INSERT INTO fraud_rules VALUES"
                            + " ('ct', 'card_testing', 3, 1.00, 500.00, 60, true, '2000-01-01'),"
                            + " ('vel', 'velocity', 15, NULL, NULL, 10, true, '2000-01-01'),"
                            + " ('cap', 'cancel_after_pay', NULL, NULL, NULL, 60, true,"
                            + " '2000-01-01')");
            for (String table : List.of("customers", "products", "orders", "fraud_rules")) {
                s.execute("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
            }
        }
        try (PreparedStatement insert =
                db.prepareStatement("INSERT INTO customers VALUES (?, ?, ?)")) {
            for (int id = 1; id <= CUSTOMERS; id++) {
                insert.setLong(1, id);
                insert.setString(2, "customer " + id);
                insert.setString(3, REGIONS[id % REGIONS.length]);
                insert.addBatch();
                customers.inserts++;
            }
            insert.executeBatch();
        }
        try (PreparedStatement insert =
                db.prepareStatement("INSERT INTO products VALUES (?, ?, ?, ?)")) {
            for (int id = 1; id <= PRODUCTS; id++) {
                insert.setLong(1, id);
                insert.setString(2, "product " + id);
                insert.setString(3, CATEGORIES[id % CATEGORIES.length]);
                insert.setBigDecimal(4, BigDecimal.valueOf(500 + id * 125L, 2));
                insert.addBatch();
                products.inserts++;
            }
            insert.executeBatch();
        }
        for (int i = 0; i < seedOrders; i++) {
            placeOrder();
        }
    }

    /**
     * One step of traffic: mostly new orders (half of them for the hot product), some payments and
     * shipments, some cancellations, now and then a price change.
     */
    void step() throws SQLException {
        int dice = random.nextInt(100);
        if (dice < 60 || open.isEmpty()) {
            placeOrder();
        } else if (dice < 85) {
            setStatus(
                    open.remove(random.nextInt(open.size())),
                    random.nextBoolean() ? "paid" : "shipped");
        } else if (dice < 97) {
            setStatus(open.remove(random.nextInt(open.size())), "cancelled");
        } else {
            try (PreparedStatement update =
                    db.prepareStatement("UPDATE products SET price = price + 1 WHERE id = ?")) {
                update.setLong(1, 1 + random.nextInt(PRODUCTS));
                update.executeUpdate();
                products.updates++;
            }
        }
    }

    private void placeOrder() throws SQLException {
        long product = random.nextBoolean() ? HOT_PRODUCT : 1 + random.nextInt(PRODUCTS);
        open.add(insertOrder(1 + random.nextInt(NORMAL_CUSTOMERS), product, null));
    }

    /** An order at {@code amount}, or at the product's price when null; its id. */
    private long insertOrder(long customer, long product, BigDecimal amount) throws SQLException {
        try (PreparedStatement insert =
                db.prepareStatement(
                        "INSERT INTO orders SELECT ?, ?, id, coalesce(?, price), 'new',"
                                + " clock_timestamp() AT TIME ZONE 'UTC' FROM products WHERE id = ?")) {
            insert.setLong(1, nextOrder);
            insert.setLong(2, customer);
            insert.setBigDecimal(3, amount);
            insert.setLong(4, product);
            insert.executeUpdate();
        }
        orders.inserts++;
        return nextOrder++;
    }

    /**
     * What the alerts job's rules must catch, one of each, for the customers normal traffic leaves
     * alone: a card tester (3 orders of 0.50, then one of 900.00), a velocity abuser (15 orders at
     * once) and an order cancelled right after it was paid.
     */
    void plantFraud() throws SQLException {
        for (int i = 0; i < 3; i++) {
            insertOrder(CARD_TESTER, HOT_PRODUCT, new BigDecimal("0.50"));
        }
        insertOrder(CARD_TESTER, HOT_PRODUCT, new BigDecimal("900.00"));
        for (int i = 0; i < 15; i++) {
            insertOrder(VELOCITY_ABUSER, HOT_PRODUCT, null);
        }
        long paid = insertOrder(CANCELS_AFTER_PAYING, HOT_PRODUCT, null);
        setStatus(paid, "paid");
        setStatus(paid, "cancelled");
    }

    private void setStatus(long order, String status) throws SQLException {
        try (PreparedStatement update =
                db.prepareStatement("UPDATE orders SET status = ? WHERE id = ?")) {
            update.setString(1, status);
            update.setLong(2, order);
            update.executeUpdate();
            orders.updates++;
        }
    }

    /** Orders that count (not cancelled) and their revenue in cents, from the database. */
    long[] countedOrders() throws SQLException {
        try (Statement s = db.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT count(*), coalesce(sum(amount), 0) FROM orders"
                                        + " WHERE status <> 'cancelled'")) {
            rs.next();
            return new long[] {
                rs.getLong(1), rs.getBigDecimal(2).movePointRight(2).longValueExact()
            };
        }
    }

    /** Inserts, updates and deletes made on one table. */
    static final class ChangeCounts {
        long inserts;
        long updates;
        long deletes;

        long total() {
            return inserts + updates + deletes;
        }
    }
}
