/**
 * Spring Boot auto-configuration for ws-proxy: {@code ws-proxy.*} properties to a {@code WebSocketProxy}, its
 * servlet filter (after Spring Security), a drain on shutdown and an Actuator health indicator. Public API:
 * {@link dev.wsproxy.spring.WebSocketProxyProperties} (the keys), the auto-configuration classes (for
 * {@code @ImportAutoConfiguration} and exclusions), {@link dev.wsproxy.spring.WebSocketProxyLifecycle} and
 * {@link dev.wsproxy.spring.WebSocketProxyHealthIndicator}.
 */
package dev.wsproxy.spring;
