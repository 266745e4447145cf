package dev.wsproxy.spring;

import dev.wsproxy.AsyncHandshakeAuthorizer;
import dev.wsproxy.HandshakeAuthorizer;
import dev.wsproxy.ProxyListener;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.WebSocketProxyFilter;
import dev.wsproxy.servlet.WebSocketProxyRegistration;
import jakarta.servlet.DispatcherType;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.autoconfigure.web.servlet.ConditionalOnMissingFilterBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Boot auto-configuration for ws-proxy: builds a {@link WebSocketProxy} from the {@code ws-proxy.*}
 * properties ({@link WebSocketProxyProperties}), registers {@link WebSocketProxyFilter} for {@code /*} on the
 * embedded servlet container (Tomcat, Jetty or Undertow: Boot installs their WebSocket support), drains the
 * proxy when the application shuts down ({@link WebSocketProxyLifecycle}) and, with Actuator, contributes the
 * {@code webSocketProxy} health indicator ({@link WebSocketProxyHealthIndicator}).
 *
 * <p>Backs off piece by piece: a {@link WebSocketProxy} bean of the application's own replaces the
 * properties-built one (its filter is still registered, but the application keeps owning its shutdown); a
 * {@link WebSocketProxyFilter} bean or registration of its own replaces the filter registration;
 * {@code ws-proxy.enabled=false} switches everything off. At most one {@link ProxyListener} bean is passed to
 * the proxy, the seam for metrics and audit logs, and at most one {@link HandshakeAuthorizer} or
 * {@link AsyncHandshakeAuthorizer} bean, which decides every proxied handshake before the upstream is contacted.
 *
 * <p>The filter runs after Spring Security's filter chain ({@link #DEFAULT_FILTER_ORDER}), so the application's
 * authentication and authorization apply to proxied handshakes; {@code ws-proxy.filter-order} can move it later,
 * never earlier.
 */
@AutoConfiguration
@ConditionalOnClass({WebSocketProxy.class, WebSocketProxyFilter.class})
@ConditionalOnProperty(prefix = "ws-proxy", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(WebSocketProxyProperties.class)
public class WebSocketProxyAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketProxyAutoConfiguration.class);

    /**
     * The filter's default order: right after Spring Security's filter chain
     * ({@code SecurityProperties.DEFAULT_FILTER_ORDER}, -100).
     */
    public static final int DEFAULT_FILTER_ORDER = SecurityProperties.DEFAULT_FILTER_ORDER + 1;

    /** The proxy built from properties, and its shutdown; absent when the application defines its own proxy. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(WebSocketProxy.class)
    static class PropertiesProxyConfiguration {

        /** Spring calls {@code close()} after the web server stopped; the lifecycle has drained it before. */
        @Bean(destroyMethod = "close")
        WebSocketProxy webSocketProxy(WebSocketProxyProperties properties, ObjectProvider<ProxyListener> listeners,
                                      ObjectProvider<HandshakeAuthorizer> authorizers,
                                      ObjectProvider<AsyncHandshakeAuthorizer> asyncAuthorizers) {
            return PropertiesToProxy.build(properties, listeners.orderedStream().collect(Collectors.toList()),
                    authorizers.orderedStream().collect(Collectors.toList()),
                    asyncAuthorizers.orderedStream().collect(Collectors.toList()));
        }

        @Bean
        WebSocketProxyLifecycle webSocketProxyLifecycle(WebSocketProxy webSocketProxy) {
            return new WebSocketProxyLifecycle(webSocketProxy);
        }
    }

    /** The filter on the embedded (or deployed) servlet container. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    static class FilterConfiguration {

        @Bean
        @ConditionalOnMissingFilterBean(WebSocketProxyFilter.class)
        FilterRegistrationBean<WebSocketProxyFilter> webSocketProxyFilterRegistration(WebSocketProxy webSocketProxy,
                                                                                     WebSocketProxyProperties properties) {
            int order = properties.getFilterOrder();
            if (order < DEFAULT_FILTER_ORDER) {
                throw new IllegalArgumentException("ws-proxy.filter-order must be at least " + DEFAULT_FILTER_ORDER
                        + " but was " + order + " (the proxy must run after Spring Security's filter chain, order "
                        + SecurityProperties.DEFAULT_FILTER_ORDER + "; remove the key to use " + DEFAULT_FILTER_ORDER
                        + ")");
            }
            FilterRegistrationBean<WebSocketProxyFilter> registration =
                    new FilterRegistrationBean<>(new WebSocketProxyFilter(webSocketProxy));
            registration.setName(WebSocketProxyRegistration.FILTER_NAME);
            registration.addUrlPatterns("/*");
            registration.setDispatcherTypes(DispatcherType.REQUEST);
            registration.setAsyncSupported(true);
            registration.setOrder(order);
            LOG.info("ws-proxy filter registered for /* at order {} with {} route(s)", order,
                    webSocketProxy.routes().size());
            return registration;
        }
    }
}
