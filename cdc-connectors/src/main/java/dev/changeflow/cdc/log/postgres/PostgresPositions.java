package dev.changeflow.cdc.log.postgres;

import dev.changeflow.cdc.log.debezium.SourcePositionEncoder;
import dev.changeflow.schemas.Positions;

import org.apache.kafka.connect.data.Struct;

/**
 * PostgreSQL positions: the LSN of Debezium's {@code source.lsn} as {@link Positions#ofLsn(long)}
 * ({@code XXXXXXXX/XXXXXXXX}). Snapshot reads that carry no LSN get {@code 00000000/00000000},
 * which sorts before every streamed change of the table.
 */
public final class PostgresPositions implements SourcePositionEncoder {

    private static final long serialVersionUID = 1L;

    @Override
    public String position(Struct source) {
        Object lsn = source.schema().field("lsn") == null ? null : source.get("lsn");
        return Positions.ofLsn(lsn == null ? 0L : ((Number) lsn).longValue());
    }
}
