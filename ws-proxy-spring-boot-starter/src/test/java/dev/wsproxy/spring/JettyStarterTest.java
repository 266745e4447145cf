package dev.wsproxy.spring;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.websocket.servlet.JettyWebSocketServletWebServerCustomizer;
import org.springframework.boot.web.embedded.jetty.JettyServletWebServerFactory;
import org.springframework.context.annotation.Bean;

/** The starter on Boot's embedded Jetty. */
class JettyStarterTest extends StarterContract {

    @Override
    Class<?> application() {
        return JettyApp.class;
    }

    @Override
    String serverName() {
        return "Jetty";
    }

    /** As {@link TomcatStarterTest.TomcatApp}, with Jetty chosen. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class JettyApp {
        @Bean
        JettyServletWebServerFactory jettyFactory() {
            return new JettyServletWebServerFactory();
        }

        @Bean(name = "websocketServletWebServerCustomizer")
        JettyWebSocketServletWebServerCustomizer websocketServletWebServerCustomizer() {
            return new JettyWebSocketServletWebServerCustomizer();
        }
    }
}
