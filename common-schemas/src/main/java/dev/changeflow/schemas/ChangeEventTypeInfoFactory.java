package dev.changeflow.schemas;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * Tells Flink's type extraction to use {@link ChangeEventTypeInfo} for {@link ChangeEvent},
 * wherever it appears (a stream's element, a tuple or POJO field, state).
 */
public class ChangeEventTypeInfoFactory extends TypeInfoFactory<ChangeEvent> {

    @Override
    public TypeInformation<ChangeEvent> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return ChangeEventTypeInfo.INSTANCE;
    }
}
