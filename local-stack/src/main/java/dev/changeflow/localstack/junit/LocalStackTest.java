package dev.changeflow.localstack.junit;

import dev.changeflow.localstack.Service;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test class against real servers of the local stack. The stack is started once per JVM and
 * shared by every test class; a class that asks for a server not yet running adds it. Test methods,
 * constructors and {@code @BeforeAll} methods may declare parameters of type {@link
 * dev.changeflow.localstack.LocalStack} or of any server type ({@code KafkaServer}, {@code
 * PostgresServer}, ...).
 *
 * <pre>{@code
 * @LocalStackTest(services = {Service.KAFKA, Service.POSTGRES})
 * class MyIT {
 *     @Test
 *     void works(KafkaServer kafka, PostgresServer postgres) { ... }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(LocalStackExtension.class)
public @interface LocalStackTest {

    /** The servers this class needs. */
    Service[] services();
}
