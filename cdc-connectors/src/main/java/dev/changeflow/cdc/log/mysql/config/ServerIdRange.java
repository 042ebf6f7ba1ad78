package dev.changeflow.cdc.log.mysql.config;

import dev.changeflow.cdc.log.CdcSetupException;

import java.io.Serializable;

/**
 * The binlog client ids a source may use, {@code 5400} or {@code 5400-5403}: every parallel reader
 * connects to the server as a replica with an id of its own, so the range must hold at least as
 * many ids as the source has parallel subtasks, and no id may be used by another replica or CDC
 * client of the same server.
 *
 * @param first the first id (inclusive)
 * @param last the last id (inclusive)
 */
public record ServerIdRange(long first, long last) implements Serializable {

    /** MariaDB's and MySQL's {@code server_id} is an unsigned 32-bit number; 0 means none. */
    private static final long MAX = 4_294_967_295L;

    /**
     * @throws CdcSetupException if the ids are out of 1..2^32-1 or the range is empty
     */
    public ServerIdRange {
        if (first < 1 || last > MAX || first > last) {
            throw new CdcSetupException(
                    "option '"
                            + MySqlLogSourceOptions.SERVER_ID.key()
                            + "' must be an id or a range 'first-last' of ids within 1-"
                            + MAX
                            + ", got "
                            + first
                            + "-"
                            + last);
        }
    }

    /**
     * Parses {@code 5400} or {@code 5400-5403}.
     *
     * @throws CdcSetupException naming the option if the text is not an id or a range of ids
     */
    public static ServerIdRange parse(String text) {
        String value = text.trim();
        int dash = value.indexOf('-');
        try {
            if (dash < 0) {
                long id = Long.parseLong(value);
                return new ServerIdRange(id, id);
            }
            return new ServerIdRange(
                    Long.parseLong(value.substring(0, dash).trim()),
                    Long.parseLong(value.substring(dash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new CdcSetupException(
                    "option '"
                            + MySqlLogSourceOptions.SERVER_ID.key()
                            + "' must be an id such as 5400 or a range such as 5400-5403, got '"
                            + text
                            + "'",
                    e);
        }
    }

    /** How many ids the range holds, i.e. the highest parallelism it allows. */
    public long size() {
        return last - first + 1;
    }

    /**
     * Fails unless the range holds an id for each of {@code parallelism} readers.
     *
     * @throws CdcSetupException naming the option, the range and the parallelism
     */
    public void checkParallelism(int parallelism) {
        if (size() < parallelism) {
            throw new CdcSetupException(
                    "option '"
                            + MySqlLogSourceOptions.SERVER_ID.key()
                            + "' = '"
                            + this
                            + "' holds "
                            + size()
                            + " server id(s) but the source runs with parallelism "
                            + parallelism
                            + ": each parallel reader connects to the binlog with an id of its own."
                            + " Give a range of at least "
                            + parallelism
                            + " ids (e.g. '"
                            + first
                            + "-"
                            + (first + parallelism - 1)
                            + "') or lower the source's parallelism");
        }
    }

    /** The option value, {@code 5400} or {@code 5400-5403}. */
    @Override
    public String toString() {
        return first == last ? Long.toString(first) : first + "-" + last;
    }
}
