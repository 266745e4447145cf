package dev.wsproxy.spring;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.websocket.servlet.UndertowWebSocketServletWebServerCustomizer;
import org.springframework.boot.web.embedded.undertow.UndertowServletWebServerFactory;
import org.springframework.context.annotation.Bean;

/** The starter on Boot's embedded Undertow. */
class UndertowStarterTest extends StarterContract {

    @Override
    Class<?> application() {
        return UndertowApp.class;
    }

    @Override
    String serverName() {
        return "Undertow";
    }

    /** As {@link TomcatStarterTest.TomcatApp}, with Undertow chosen. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class UndertowApp {
        @Bean
        UndertowServletWebServerFactory undertowFactory() {
            return new UndertowServletWebServerFactory();
        }

        @Bean(name = "websocketServletWebServerCustomizer")
        UndertowWebSocketServletWebServerCustomizer websocketServletWebServerCustomizer() {
            return new UndertowWebSocketServletWebServerCustomizer();
        }
    }
}
