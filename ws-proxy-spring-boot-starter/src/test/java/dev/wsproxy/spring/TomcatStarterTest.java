package dev.wsproxy.spring;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.websocket.servlet.TomcatWebSocketServletWebServerCustomizer;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The starter on Boot's embedded Tomcat. */
class TomcatStarterTest extends StarterContract {

    @Override
    Class<?> application() {
        return TomcatApp.class;
    }

    @Override
    String serverName() {
        return "Tomcat";
    }

    /**
     * An application with no code for the proxy. The two beans pick Tomcat only because this test class path also
     * holds Jetty and Undertow; an application with one server needs neither.
     */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(TomcatOnly.class)
    static class TomcatApp {
    }

    /** Picks Tomcat on a class path that also has Jetty and Undertow. */
    @Configuration(proxyBeanMethods = false)
    static class TomcatOnly {
        @Bean
        TomcatServletWebServerFactory tomcatFactory() {
            return new TomcatServletWebServerFactory();
        }

        @Bean(name = "websocketServletWebServerCustomizer")
        TomcatWebSocketServletWebServerCustomizer websocketServletWebServerCustomizer() {
            return new TomcatWebSocketServletWebServerCustomizer();
        }
    }
}
