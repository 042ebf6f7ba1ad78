package dev.changeflow.localstack.runtime.s3mock;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Binds S3Mock's plain-HTTP connector to {@code server.address}. S3Mock adds that connector ({@code
 * com.adobe.testing.s3mock.httpPort}) next to its HTTPS one and Spring Boot applies {@code
 * server.address} to the main connector only, so without this the HTTP port listens on every
 * interface. Loaded from {@code -Dloader.path} through Spring Boot's auto-configuration imports;
 * compiled against the Spring Boot and Tomcat versions S3Mock ships.
 */
@AutoConfiguration
public class LoopbackHttpConnectorAutoConfiguration {

    @Bean
    static WebServerFactoryCustomizer<TomcatServletWebServerFactory>
            changeflowBindAdditionalConnectors(Environment environment) {
        return factory -> {
            String address = environment.getProperty("server.address");
            if (address == null || address.isBlank()) {
                return;
            }
            InetAddress bind = resolve(address);
            for (Connector connector : factory.getAdditionalTomcatConnectors()) {
                if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
                    protocol.setAddress(bind);
                }
            }
        };
    }

    private static InetAddress resolve(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("server.address: cannot resolve " + address, e);
        }
    }
}
