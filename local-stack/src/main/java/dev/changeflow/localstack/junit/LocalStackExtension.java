package dev.changeflow.localstack.junit;

import dev.changeflow.localstack.LocalStack;
import dev.changeflow.localstack.ManagedServer;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.server.KafkaServer;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

import java.util.List;

/** Starts the servers a {@link LocalStackTest} class asks for, once per JVM. */
public final class LocalStackExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(LocalStackExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Service[] services =
                AnnotationSupport.findAnnotation(
                                context.getRequiredTestClass(), LocalStackTest.class)
                        .map(LocalStackTest::services)
                        .orElse(new Service[0]);
        shared(context).stack.ensure(List.of(services));
    }

    /** The stack shared by every test class of this JVM, stopped when the JVM's tests end. */
    public static LocalStack stack(ExtensionContext context) {
        return shared(context).stack;
    }

    private static Shared shared(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(Shared.class, k -> new Shared(), Shared.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == LocalStack.class || ManagedServer.class.isAssignableFrom(type);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        LocalStack stack = stack(context);
        if (type == LocalStack.class) {
            return stack;
        }
        for (Service service : Service.values()) {
            if (stack.isRunning(service)) {
                Object server = stack.server(service);
                if (type.isInstance(server)) {
                    return server;
                }
            }
        }
        throw new ParameterResolutionException(
                type.getSimpleName()
                        + " is not running: add its service to @LocalStackTest(services = ...)");
    }

    /** Holder closed by JUnit when the root context closes, i.e. after the JVM's last test. */
    private static final class Shared implements ExtensionContext.Store.CloseableResource {
        // segments that roll within a test, so retention can delete what it should not; slots for
        // the conformance suite's three jobs at once
        private final LocalStack stack =
                LocalStack.builder()
                        .kafkaBrokerConfig(KafkaServer.TEST_SEGMENTS)
                        .flinkTaskSlots(4)
                        .build();

        @Override
        public void close() {
            stack.close();
        }
    }
}
