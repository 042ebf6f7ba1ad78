package dev.changeflow.schemas;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Builds {@link SourceInfo#position() positions}: strings that sort, with plain {@link
 * String#compareTo}, in the order the changes of one table happened.
 *
 * <p>Every CDC method encodes its native position with fixed-width, zero-padded fields so that
 * lexicographic order is numeric order:
 *
 * <ul>
 *   <li>PostgreSQL LSN: {@link #ofLsn(long)}, {@code 00000000/016B3748} (16 upper-case hex digits,
 *       still a valid {@code pg_lsn} literal);
 *   <li>MariaDB/MySQL binlog: {@link #ofBinlog(String, long)}, {@code
 *       mysql-bin.0000000003:0000000000000000154} (file sequence padded to 10 digits, offset to
 *       19), or {@link #ofBinlog(String, long, int)} with the row within the event appended ({@code
 *       mysql-bin.0000000003:0000000000000000154:0000000002}); rows read by a snapshot, which have
 *       no binlog coordinate, get {@link #BINLOG_SNAPSHOT};
 *   <li>audit-table id or incrementing column: {@link #ofSequence(long)}, 19 decimal digits;
 *   <li>timestamp column (query-based): {@link #ofTimestamp(LocalDateTime, long)}, {@code
 *       2024-01-02T03:04:05.123456000/0000000000000000042} (nanosecond timestamp plus a 19-digit
 *       tie-breaker such as the row id).
 * </ul>
 *
 * <p>Positions are comparable only within one table and one CDC method. They never decrease, but
 * may repeat: rows of one statement or transaction can share a position. A consumer that guards
 * writes with the position must therefore accept an equal position.
 */
public final class Positions {

    private static final int LONG_DIGITS = 19;
    private static final int BINLOG_SEQUENCE_DIGITS = 10;
    private static final int BINLOG_ROW_DIGITS = 10;

    /**
     * The binlog position of a row read by a snapshot rather than from the binlog: it sorts before
     * every {@link #ofBinlog} position whose file name starts with a letter, digit or {@code _}
     * (every binlog name in practice), so a guarded write lets any streamed change win over it.
     */
    public static final String BINLOG_SNAPSHOT = ".0000000000:0000000000000000000";

    private Positions() {}

    /**
     * Compares two positions of the same table: negative if {@code a} happened before {@code b}.
     */
    public static int compare(String a, String b) {
        return a.compareTo(b);
    }

    /**
     * Encodes a non-negative sequence number (audit id, incrementing column) as 19 decimal digits.
     *
     * @throws IllegalArgumentException if {@code sequence} is negative
     */
    public static String ofSequence(long sequence) {
        requireNonNegative("sequence", sequence);
        return pad(sequence, LONG_DIGITS);
    }

    /**
     * Encodes a PostgreSQL log sequence number as {@code XXXXXXXX/XXXXXXXX} (upper-case hex, zero
     * padded), which both sorts and parses as a {@code pg_lsn}.
     *
     * @param lsn the LSN as an unsigned 64-bit value (as pgjdbc's {@code LogSequenceNumber.asLong})
     */
    public static String ofLsn(long lsn) {
        String hex = String.format("%016X", lsn);
        return hex.substring(0, 8) + "/" + hex.substring(8);
    }

    /**
     * Encodes a MariaDB/MySQL binlog coordinate: the file name with its numeric extension padded to
     * 10 digits, a colon, and the offset padded to 19 digits.
     *
     * @param file the binlog file name, such as {@code mysql-bin.000003}
     * @param offset the event offset within the file
     * @throws IllegalArgumentException if the file name has no numeric extension or the offset is
     *     negative
     */
    public static String ofBinlog(String file, long offset) {
        int dot = file == null ? -1 : file.lastIndexOf('.');
        if (dot <= 0 || dot == file.length() - 1) {
            throw new IllegalArgumentException(
                    "binlog file must look like <name>.<number>, got " + file);
        }
        long sequence;
        try {
            sequence = Long.parseLong(file.substring(dot + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "binlog file must look like <name>.<number>, got " + file, e);
        }
        requireNonNegative("binlog sequence", sequence);
        requireNonNegative("binlog offset", offset);
        return file.substring(0, dot + 1)
                + pad(sequence, BINLOG_SEQUENCE_DIGITS)
                + ":"
                + pad(offset, LONG_DIGITS);
    }

    /**
     * The binlog file sequence and offset of a position {@link #ofBinlog} wrote, as {@code
     * {sequence, offset}}, or null for any other position (a snapshot row's {@link
     * #BINLOG_SNAPSHOT}, an LSN, a sequence, a timestamp).
     */
    public static long[] binlogCoordinate(String position) {
        if (position == null) {
            return null;
        }
        int colon = position.indexOf(':');
        int dot = colon < 0 ? -1 : position.lastIndexOf('.', colon);
        if (dot <= 0
                || colon - dot - 1 != BINLOG_SEQUENCE_DIGITS
                || position.length() < colon + 1 + LONG_DIGITS) {
            return null;
        }
        try {
            return new long[] {
                Long.parseLong(position.substring(dot + 1, colon)),
                Long.parseLong(position.substring(colon + 1, colon + 1 + LONG_DIGITS))
            };
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Encodes a binlog coordinate with the row within its event: {@link #ofBinlog(String, long)}, a
     * colon and the row number padded to 10 digits. Rows of one multi-row event then have distinct,
     * ordered positions. Use one form per table: a position without the row sorts before the same
     * coordinate with any row.
     *
     * @param row the 0-based row within the binlog event
     * @throws IllegalArgumentException as {@link #ofBinlog(String, long)}, or if {@code row} is
     *     negative
     */
    public static String ofBinlog(String file, long offset, int row) {
        requireNonNegative("binlog row", row);
        return ofBinlog(file, offset) + ":" + pad(row, BINLOG_ROW_DIGITS);
    }

    /**
     * Encodes a polled timestamp column value with nanosecond precision.
     *
     * @throws IllegalArgumentException if the year is outside 0000-9999
     */
    public static String ofTimestamp(LocalDateTime timestamp) {
        int year = timestamp.getYear();
        if (year < 0 || year > 9999) {
            throw new IllegalArgumentException(
                    "timestamp position must have a year in 0000-9999, got " + timestamp);
        }
        return String.format(
                "%04d-%02d-%02dT%02d:%02d:%02d.%09d",
                year,
                timestamp.getMonthValue(),
                timestamp.getDayOfMonth(),
                timestamp.getHour(),
                timestamp.getMinute(),
                timestamp.getSecond(),
                timestamp.getNano());
    }

    /**
     * Encodes a polled timestamp column value plus a tie-breaker (typically the row's incrementing
     * id), for rows that share a timestamp.
     *
     * @throws IllegalArgumentException if the year is outside 0000-9999 or the tie-breaker is
     *     negative
     */
    public static String ofTimestamp(LocalDateTime timestamp, long tieBreaker) {
        requireNonNegative("tie-breaker", tieBreaker);
        return ofTimestamp(timestamp) + "/" + pad(tieBreaker, LONG_DIGITS);
    }

    /** Encodes an instant as {@link #ofTimestamp(LocalDateTime, long)} does, in UTC. */
    public static String ofTimestamp(Instant timestamp, long tieBreaker) {
        return ofTimestamp(LocalDateTime.ofInstant(timestamp, ZoneOffset.UTC), tieBreaker);
    }

    private static void requireNonNegative(String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + value);
        }
    }

    private static String pad(long value, int digits) {
        String s = Long.toString(value);
        return "0".repeat(digits - s.length()) + s;
    }
}
