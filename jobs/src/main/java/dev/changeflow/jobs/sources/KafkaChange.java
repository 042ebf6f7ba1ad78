package dev.changeflow.jobs.sources;

import dev.changeflow.schemas.ChangeEvent;

import javax.annotation.Nullable;

/**
 * A change read back from a change topic, with the record key the ingest job wrote (the row's
 * primary key as JSON, e.g. {@code {"id":42}}).
 *
 * @param key the record key as JSON text, or {@code null} for tables without a primary key
 * @param event the change
 */
public record KafkaChange(@Nullable String key, ChangeEvent event) {}
