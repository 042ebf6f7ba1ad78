package dev.changeflow.cli.verify;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Primary keys as bytes whose unsigned order is the database's key order: integers as 8 big-endian
 * bytes with the sign bit flipped, text as UTF-8 (the order of PostgreSQL's {@code "C"} collation
 * and MariaDB's binary comparison) with {@code 0x00} escaped and a terminator, so that a shorter
 * string sorts before its extensions. Both sides of a comparison are walked in this order.
 */
final class SortKeys {

    private static final byte LONG = 1;
    private static final byte TEXT = 2;

    private SortKeys() {}

    /** The sort key of a key whose parts are {@link Long}s and {@link String}s. */
    static byte[] of(List<?> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16);
        for (Object part : parts) {
            if (part instanceof Long) {
                long flipped = (Long) part ^ Long.MIN_VALUE;
                out.write(LONG);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) (flipped >>> shift));
                }
            } else if (part instanceof String) {
                out.write(TEXT);
                for (byte b : ((String) part).getBytes(StandardCharsets.UTF_8)) {
                    out.write(b);
                    if (b == 0) {
                        out.write(0xFF);
                    }
                }
                out.write(0);
                out.write(1);
            } else {
                throw new IllegalArgumentException(
                        "a key part must be an integer or text, got "
                                + (part == null ? "null" : part.getClass().getSimpleName()));
            }
        }
        return out.toByteArray();
    }

    /** The key parts back from a sort key. */
    static List<Object> parts(byte[] key) {
        List<Object> parts = new ArrayList<>();
        int i = 0;
        while (i < key.length) {
            byte tag = key[i++];
            if (tag == LONG) {
                long value = 0;
                for (int n = 0; n < 8; n++) {
                    value = (value << 8) | (key[i++] & 0xFF);
                }
                parts.add(value ^ Long.MIN_VALUE);
            } else if (tag == TEXT) {
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                while (!(key[i] == 0 && key[i + 1] == 1)) {
                    text.write(key[i]);
                    i += key[i] == 0 ? 2 : 1;
                }
                i += 2;
                parts.add(text.toString(StandardCharsets.UTF_8));
            } else {
                throw new IllegalArgumentException("not a sort key: " + Arrays.toString(key));
            }
        }
        return parts;
    }

    /** Unsigned lexicographic order, the order of the sorted store. */
    static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }
}
