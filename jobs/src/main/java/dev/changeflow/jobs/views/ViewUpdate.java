package dev.changeflow.jobs.views;

/**
 * One write to a Redis view: the row's hash key, whether the row was deleted, the change's source
 * position (the guard against older replays) and the new row's fields.
 *
 * @param key the hash key, {@code <prefix>:<table>:{<primary key>}}
 * @param delete whether the row was deleted
 * @param position the source position of the change
 * @param fields field, value, field, value, ... of the new row (empty for a delete)
 */
public record ViewUpdate(String key, boolean delete, String position, String[] fields) {

    /** The key of the marker a delete leaves, in the same Redis Cluster hash slot as the row. */
    public String deleteMarkerKey() {
        return key + ":deleted";
    }
}
