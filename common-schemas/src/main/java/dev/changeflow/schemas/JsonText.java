package dev.changeflow.schemas;

/**
 * The text of a {@code json}/{@code jsonb} (PostgreSQL) or {@code JSON} (MariaDB/MySQL) column.
 *
 * <p>Hand it to {@link ColumnValues#toJsonValue(Object)} to have the column encoded as a JSON
 * string holding this text, which Flink SQL reads as {@code STRING}, rather than as a plain text
 * column (the result is the same string; the marker documents intent and keeps dialect code
 * explicit). The text is kept byte for byte as the database returned it and is not re-parsed.
 *
 * @param text the JSON document as text
 */
public record JsonText(String text) {

    /**
     * @throws IllegalArgumentException if {@code text} is null
     */
    public JsonText {
        if (text == null) {
            throw new IllegalArgumentException("json text must not be null (use a null column)");
        }
    }
}
