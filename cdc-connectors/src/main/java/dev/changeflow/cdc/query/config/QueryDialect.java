package dev.changeflow.cdc.query.config;

/** The databases the query source polls. */
public enum QueryDialect {
    /** PostgreSQL. */
    POSTGRES,
    /** MariaDB, and MySQL (same SQL; the JDBC driver is MySQL Connector/J). */
    MARIADB
}
