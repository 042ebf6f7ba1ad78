package dev.changeflow.cdc.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.util.Arrays;
import java.util.List;

/**
 * What the builders of Changeflow's four sources (log-based PostgreSQL and MariaDB/MySQL,
 * trigger-based, query-based) share: every setter sets one option of a {@link Configuration}, and
 * the connection options have the same keys in all of them, so a job's arguments or a SQL table's
 * options can be handed to any of them with {@link #options}. Each source's own options class
 * documents these keys for that source.
 *
 * @param <B> the concrete builder, returned by every setter for chaining
 */
public abstract class SourceBuilder<B extends SourceBuilder<B>> {

    private static final ConfigOption<String> HOSTNAME =
            ConfigOptions.key("hostname").stringType().noDefaultValue();
    private static final ConfigOption<Integer> PORT =
            ConfigOptions.key("port").intType().noDefaultValue();
    private static final ConfigOption<String> USERNAME =
            ConfigOptions.key("username").stringType().noDefaultValue();
    private static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("password").stringType().noDefaultValue();
    private static final ConfigOption<List<String>> TABLE_LIST =
            ConfigOptions.key("table-list").stringType().asList().noDefaultValue();

    /** The options set so far. */
    protected final Configuration conf = new Configuration();

    protected SourceBuilder() {}

    /** This builder, as its own type. */
    protected abstract B self();

    /**
     * Takes every option present in {@code options} (a job's command-line arguments, a SQL table's
     * options); setters called later win.
     */
    public B options(Configuration options) {
        conf.addAll(options);
        return self();
    }

    /** {@code hostname}: the database server's host. */
    public B hostname(String hostname) {
        conf.set(HOSTNAME, hostname);
        return self();
    }

    /** {@code port}: the database server's port (default 5432 / 3306). */
    public B port(int port) {
        conf.set(PORT, port);
        return self();
    }

    /** {@code username}: the user to connect as. */
    public B username(String username) {
        conf.set(USERNAME, username);
        return self();
    }

    /** {@code password}: the user's password. */
    public B password(String password) {
        conf.set(PASSWORD, password);
        return self();
    }

    /**
     * {@code table-list}: the captured tables, {@code schema.table} (PostgreSQL) or {@code
     * db.table} (MariaDB/MySQL).
     */
    public B tableList(String... tables) {
        conf.set(TABLE_LIST, Arrays.asList(tables));
        return self();
    }
}
