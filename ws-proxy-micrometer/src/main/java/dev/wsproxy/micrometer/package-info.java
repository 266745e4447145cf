/**
 * Micrometer binding for ws-proxy: {@link dev.wsproxy.micrometer.WebSocketProxyMetrics}.
 */
package dev.wsproxy.micrometer;
