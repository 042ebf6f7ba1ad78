package dev.changeflow.cdc.jdbc;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/** Opens JDBC connections the way code inside a Flink job must. */
public final class JdbcConnections {

    private JdbcConnections() {}

    /**
     * Connects through {@code driver} directly. {@code DriverManager} registers drivers once per
     * JVM and hides them from the next job's user-code class loader on a Flink cluster ("No
     * suitable driver found" on the second submission), so job code never goes through it.
     *
     * @throws SQLException if the driver refuses the URL or the server the login
     */
    public static Connection connect(Driver driver, String url, Properties properties)
            throws SQLException {
        Connection connection = driver.connect(url, properties);
        if (connection == null) {
            throw new SQLException(
                    driver.getClass().getName() + " does not accept the JDBC URL " + url);
        }
        return connection;
    }
}
