package dev.changeflow.schemas;

/**
 * Thrown when bytes or text cannot be read as a {@link ChangeEvent}: not JSON, or JSON that breaks
 * the envelope contract. The message says what is wrong and where (field name), never the row data.
 */
public class ChangeEventFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message saying what is wrong. */
    public ChangeEventFormatException(String message) {
        super(message);
    }

    /** Creates the exception with a message saying what is wrong and the underlying cause. */
    public ChangeEventFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
