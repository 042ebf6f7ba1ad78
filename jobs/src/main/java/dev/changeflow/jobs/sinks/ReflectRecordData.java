package dev.changeflow.jobs.sinks;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.reflect.ReflectData;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.Map;

/**
 * Avro reflection for the Parquet sinks: nullable object fields ({@link ReflectData.AllowNull}),
 * {@code java.time} and {@code UUID} as logical types, and Java records read through their
 * accessors. Avro 1.11 reads fields with {@code Unsafe}, which Java refuses for records ("can't get
 * field offset on a record class").
 */
final class ReflectRecordData extends ReflectData.AllowNull {

    private static final ClassValue<Map<String, Method>> ACCESSORS =
            new ClassValue<>() {
                @Override
                protected Map<String, Method> computeValue(Class<?> type) {
                    Map<String, Method> accessors = new HashMap<>();
                    for (RecordComponent component : type.getRecordComponents()) {
                        Method accessor = component.getAccessor();
                        accessor.setAccessible(true);
                        accessors.put(component.getName(), accessor);
                    }
                    return accessors;
                }
            };

    ReflectRecordData() {
        addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        addLogicalTypeConversion(new TimeConversions.DateConversion());
        addLogicalTypeConversion(new TimeConversions.LocalTimestampMillisConversion());
        addLogicalTypeConversion(new Conversions.UUIDConversion());
    }

    @Override
    public Object getField(Object record, String name, int position) {
        return record.getClass().isRecord()
                ? component(record, name)
                : super.getField(record, name, position);
    }

    @Override
    protected Object getField(Object record, String name, int position, Object state) {
        return record.getClass().isRecord()
                ? component(record, name)
                : super.getField(record, name, position, state);
    }

    @Override
    protected Object getRecordState(Object record, Schema schema) {
        return record.getClass().isRecord() ? null : super.getRecordState(record, schema);
    }

    private static Object component(Object record, String name) {
        Method accessor = ACCESSORS.get(record.getClass()).get(name);
        if (accessor == null) {
            throw new AvroRuntimeException(
                    "record " + record.getClass().getName() + " has no component " + name);
        }
        try {
            return accessor.invoke(record);
        } catch (IllegalAccessException e) {
            throw new AvroRuntimeException(e);
        } catch (InvocationTargetException e) {
            throw new AvroRuntimeException(e.getCause());
        }
    }
}
