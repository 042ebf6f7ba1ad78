package dev.changeflow.cdc.log.mysql;

import dev.changeflow.cdc.log.debezium.SourcePositionEncoder;
import dev.changeflow.schemas.Positions;

import org.apache.kafka.connect.data.Struct;

/**
 * MariaDB/MySQL positions from Debezium's {@code source} block: {@code file}, {@code pos} (the
 * offset of the rows event in the binlog file) and {@code row} (the row within that event), as
 * {@link Positions#ofBinlog(String, long, int)}, e.g. {@code
 * mysql-bin.0000000003:0000000000000000154:0000000000}. They sort across binlog files (the file
 * sequence is zero-padded) and, with the row, strictly increase over the changes of a table.
 *
 * <p>Rows read by the snapshot carry no binlog coordinate (Flink CDC gives them an empty file) and
 * get {@link Positions#BINLOG_SNAPSHOT}, which sorts before every streamed change. Rows the
 * snapshot merged from the binlog while reading a chunk (its backfill) keep their binlog
 * coordinate, which still sorts before the later changes of the same row.
 */
public final class MySqlPositions implements SourcePositionEncoder {

    private static final long serialVersionUID = 1L;

    @Override
    public String position(Struct source) {
        String file = source.schema().field("file") == null ? null : source.getString("file");
        if (file == null || file.isEmpty()) {
            return Positions.BINLOG_SNAPSHOT;
        }
        Object pos = source.get("pos");
        Object row = source.schema().field("row") == null ? null : source.get("row");
        return Positions.ofBinlog(
                file,
                pos == null ? 0L : ((Number) pos).longValue(),
                row == null ? 0 : ((Number) row).intValue());
    }
}
