package dev.wsproxy.spring;

import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.micrometer.WebSocketProxyMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Exposes the proxy's metrics to Micrometer, and so to Actuator's {@code /actuator/metrics} and every registry
 * Boot configures (Prometheus, OTLP, ...): contributes a {@link WebSocketProxyMetrics} {@code MeterBinder}, which
 * Boot binds to its registries, when Micrometer is on the classpath (Actuator brings it) and a
 * {@link WebSocketProxy} bean exists. Backs off when the application defines its own {@link WebSocketProxyMetrics}
 * bean; {@code ws-proxy.metrics=false} leaves the binder with no meters.
 */
@AutoConfiguration(after = WebSocketProxyAutoConfiguration.class)
@ConditionalOnClass({MeterRegistry.class, WebSocketProxyMetrics.class})
@ConditionalOnBean(WebSocketProxy.class)
public class WebSocketProxyMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    WebSocketProxyMetrics webSocketProxyMetrics(WebSocketProxy webSocketProxy) {
        return new WebSocketProxyMetrics(webSocketProxy);
    }
}
