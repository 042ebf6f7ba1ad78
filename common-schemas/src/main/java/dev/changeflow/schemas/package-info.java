/**
 * The change-event envelope shared by every Changeflow CDC method and job.
 *
 * <ul>
 *   <li>{@link dev.changeflow.schemas.ChangeEvent}, {@link dev.changeflow.schemas.SourceInfo},
 *       {@link dev.changeflow.schemas.Op}, {@link dev.changeflow.schemas.Connector}: the immutable
 *       envelope;
 *   <li>{@link dev.changeflow.schemas.ColumnValues}, {@link dev.changeflow.schemas.JsonText},
 *       {@link dev.changeflow.schemas.Positions}: how column values and positions are encoded
 *       (documented in {@code common-schemas/TYPES.md});
 *   <li>{@link dev.changeflow.schemas.ChangeEventJson}: the Debezium-shaped JSON serde, with {@link
 *       dev.changeflow.schemas.ChangeEventFormatException} for bad input; its JSON Schema is the
 *       resource {@code schemas/change-event.schema.json};
 *   <li>Flink: {@link dev.changeflow.schemas.ChangeEventSerializationSchema}, {@link
 *       dev.changeflow.schemas.ChangeEventDeserializationSchema}, {@link
 *       dev.changeflow.schemas.ChangeEventKeySerializationSchema}, {@link
 *       dev.changeflow.schemas.ChangeEventTypeInfo};
 *   <li>Kafka: {@link dev.changeflow.schemas.ChangeEventKafkaSerializer}, {@link
 *       dev.changeflow.schemas.ChangeEventKafkaDeserializer}, {@link
 *       dev.changeflow.schemas.PrimaryKeyKafkaSerializer}, {@link
 *       dev.changeflow.schemas.PrimaryKeyKafkaDeserializer}.
 * </ul>
 */
package dev.changeflow.schemas;
