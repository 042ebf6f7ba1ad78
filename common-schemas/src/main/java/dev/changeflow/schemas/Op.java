package dev.changeflow.schemas;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The kind of change a {@link ChangeEvent} describes, with Debezium's one-letter codes.
 *
 * <p>Flink SQL's {@code debezium-json} format turns {@code r} and {@code c} into {@code +I}, {@code
 * u} into {@code -U} followed by {@code +U}, and {@code d} into {@code -D}.
 */
public enum Op {
    /** A row read by a snapshot (initial load), code {@code r}. */
    READ("r"),
    /** An inserted row, code {@code c}. */
    CREATE("c"),
    /** An updated row, code {@code u}. */
    UPDATE("u"),
    /** A deleted row, code {@code d}. */
    DELETE("d");

    private static final String ALL_CODES =
            Arrays.stream(values()).map(Op::code).collect(Collectors.joining(", "));

    private final String code;

    Op(String code) {
        this.code = code;
    }

    /** The one-letter code written to the {@code op} field. */
    public String code() {
        return code;
    }

    /** Whether events of this kind carry the new row in {@code after}. */
    public boolean hasAfter() {
        return this != DELETE;
    }

    /** Whether events of this kind carry the old row in {@code before}. */
    public boolean hasBefore() {
        return this == UPDATE || this == DELETE;
    }

    /**
     * Returns the {@link Op} with the given code.
     *
     * @throws IllegalArgumentException if the code is not exactly one of {@code r}, {@code c},
     *     {@code u}, {@code d}
     */
    public static Op fromCode(String code) {
        if (code != null && code.length() == 1) {
            switch (code.charAt(0)) {
                case 'r':
                    return READ;
                case 'c':
                    return CREATE;
                case 'u':
                    return UPDATE;
                case 'd':
                    return DELETE;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException(
                "unknown op " + quote(code) + ", expected one of " + ALL_CODES);
    }

    private static String quote(String s) {
        return s == null ? "null" : "'" + s + "'";
    }
}
