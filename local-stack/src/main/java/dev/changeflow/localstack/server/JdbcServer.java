package dev.changeflow.localstack.server;

import dev.changeflow.localstack.ManagedServer;
import dev.changeflow.localstack.process.Ports;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What PostgreSQL and MariaDB have in common: a JDBC endpoint that is either a server started here
 * or an existing one given by its URL and credentials.
 */
public abstract class JdbcServer implements ManagedServer {

    /** Where a server started here keeps its data and log; null for an external one. */
    protected final Path dir;

    /** The port asked for, 0 for a free one. */
    protected final int fixedPort;

    /** The port a server started here listens on. */
    protected int port;

    private final String externalUrl;
    private final String externalUser;
    private final String externalPassword;

    protected JdbcServer(Path dir, int fixedPort) {
        this.dir = dir;
        this.fixedPort = fixedPort;
        this.externalUrl = null;
        this.externalUser = null;
        this.externalPassword = null;
    }

    protected JdbcServer(String jdbcUrl, String user, String password) {
        this.dir = null;
        this.fixedPort = 0;
        this.externalUrl = jdbcUrl;
        this.externalUser = user;
        this.externalPassword = password == null ? "" : password;
    }

    /** The JDBC sub-protocol, e.g. {@code postgresql}. */
    protected abstract String protocol();

    protected abstract int defaultPort();

    /** Database and credentials of a server started here. */
    protected abstract String localDatabase();

    protected abstract String localUser();

    protected abstract String localPassword();

    @Override
    public final boolean external() {
        return externalUrl != null;
    }

    public String jdbcUrl() {
        return external() ? externalUrl : jdbcUrl(localDatabase());
    }

    /** The URL of another database on a server started here. */
    protected String jdbcUrl(String database) {
        return "jdbc:" + protocol() + "://127.0.0.1:" + port + "/" + database;
    }

    public String host() {
        return external() ? hostPort()[0] : "127.0.0.1";
    }

    public int port() {
        if (!external()) {
            return port;
        }
        String p = hostPort()[1];
        return p == null ? defaultPort() : Integer.parseInt(p);
    }

    public String database() {
        if (!external()) {
            return localDatabase();
        }
        String rest = externalUrl.substring(externalUrl.indexOf("//") + 2);
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return "";
        }
        String db = rest.substring(slash + 1);
        int q = db.indexOf('?');
        return q < 0 ? db : db.substring(0, q);
    }

    public String user() {
        return external() ? externalUser : localUser();
    }

    public String password() {
        return external() ? externalPassword : localPassword();
    }

    /** A new connection to {@link #jdbcUrl()} as {@link #user()}; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user(), password());
    }

    /** Waits until {@code url} answers {@code SELECT 1} as {@link #user()}. */
    protected void awaitConnectable(String url, Duration timeout, Supplier<Boolean> alive) {
        Ports.await(
                name() + " at " + url,
                timeout,
                () -> {
                    try (Connection c = DriverManager.getConnection(url, user(), password());
                            Statement s = c.createStatement();
                            ResultSet rs = s.executeQuery("SELECT 1")) {
                        return rs.next();
                    } catch (SQLException e) {
                        return null;
                    }
                },
                ok -> ok,
                alive);
    }

    private String[] hostPort() {
        String rest = externalUrl.substring(externalUrl.indexOf("//") + 2);
        int slash = rest.indexOf('/');
        String hostPort = slash < 0 ? rest : rest.substring(0, slash);
        int colon = hostPort.lastIndexOf(':');
        return colon < 0
                ? new String[] {hostPort, null}
                : new String[] {hostPort.substring(0, colon), hostPort.substring(colon + 1)};
    }
}
