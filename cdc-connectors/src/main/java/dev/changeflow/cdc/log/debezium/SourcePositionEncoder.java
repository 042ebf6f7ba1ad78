package dev.changeflow.cdc.log.debezium;

import org.apache.kafka.connect.data.Struct;

import java.io.Serializable;

/**
 * Turns the database-specific coordinates of a Debezium {@code source} block into the comparable
 * position string of {@link dev.changeflow.schemas.Positions} (PostgreSQL: the LSN; MariaDB/MySQL:
 * binlog file and offset).
 */
@FunctionalInterface
public interface SourcePositionEncoder extends Serializable {

    /**
     * Returns the position of the change whose Debezium {@code source} block is given.
     *
     * @param source the {@code source} struct of the Debezium envelope
     */
    String position(Struct source);
}
