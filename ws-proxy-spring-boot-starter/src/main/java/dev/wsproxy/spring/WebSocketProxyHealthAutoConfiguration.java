package dev.wsproxy.spring;

import dev.wsproxy.WebSocketProxy;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Contributes {@link WebSocketProxyHealthIndicator} as the {@code webSocketProxy} health component when Actuator
 * is on the classpath and a {@link WebSocketProxy} bean exists (the starter's or the application's). Switch off
 * with {@code management.health.ws-proxy.enabled=false}.
 */
@AutoConfiguration(after = WebSocketProxyAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(WebSocketProxy.class)
@ConditionalOnEnabledHealthIndicator("ws-proxy")
public class WebSocketProxyHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "webSocketProxyHealthIndicator")
    WebSocketProxyHealthIndicator webSocketProxyHealthIndicator(WebSocketProxy webSocketProxy) {
        return new WebSocketProxyHealthIndicator(webSocketProxy);
    }
}
