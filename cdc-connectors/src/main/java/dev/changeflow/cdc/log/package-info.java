/**
 * Log-based change data capture: Flink sources that read the database's transaction log through
 * Flink CDC (Debezium inside) and emit the common {@link dev.changeflow.schemas.ChangeEvent}
 * envelope. One sub-package per database ({@code postgres}, {@code mysql} for MariaDB and MySQL),
 * plus {@code debezium} for the conversion from Debezium's records that every database shares.
 */
package dev.changeflow.cdc.log;
