package dev.changeflow.cdc.log;

/**
 * A CDC source cannot start: the database, the user or the options are not set up for capture. The
 * message names the problem and, where there is one, the fix (the option to set, the SQL to run).
 */
public class CdcSetupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the problem. */
    public CdcSetupException(String message) {
        super(message);
    }

    /** Creates the exception with a message naming the problem and its cause. */
    public CdcSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
