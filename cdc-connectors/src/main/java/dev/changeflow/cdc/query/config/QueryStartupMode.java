package dev.changeflow.cdc.query.config;

/** Where the query source starts when it has no checkpointed position. */
public enum QueryStartupMode {
    /** Snapshot every table ({@code r}), then poll from the position taken before the snapshot. */
    INITIAL,
    /** Poll only changes that become safe from now on. */
    LATEST
}
