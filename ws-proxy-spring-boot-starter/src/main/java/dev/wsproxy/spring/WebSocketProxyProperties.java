package dev.wsproxy.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code ws-proxy.*} application properties, bound by Spring Boot; the same settings as the
 * {@code ProxyRoute} and {@code WebSocketProxy} builders and the WAR's {@code ws-proxy.properties} file:
 *
 * <pre>
 * ws-proxy.routes[0].prefix=/ws/chat/
 * ws-proxy.routes[0].upstream=ws://chat-backend:8080/
 * ws-proxy.routes[0].connect-timeout=5s
 * ws-proxy.routes[0].max-message-size=8MB
 * ws-proxy.routes[0].set-header.X-Tenant=blue
 * ws-proxy.max-connections-per-client=50
 * </pre>
 *
 * <p>A setting left out keeps the library's default (listed with each key). Durations use Spring's format
 * ({@code 10s}, {@code 500ms}, {@code PT10S}); sizes Spring's {@code DataSize} ({@code 8MB} is 8 MiB).
 * Unknown keys under {@code ws-proxy} fail the start, naming the key, as the WAR's properties file does.
 * A mutable binding target, filled by Spring before any proxy is built; not thread-safe.
 */
@ConfigurationProperties(prefix = "ws-proxy", ignoreUnknownFields = false)
public class WebSocketProxyProperties {

    /** Whether the starter builds and registers a proxy at all. */
    private boolean enabled = true;
    /**
     * Position of the proxy filter in the servlet filter chain. Must be after Spring Security's filter chain
     * (order -100, SecurityProperties.DEFAULT_FILTER_ORDER) so the application's security filters always run
     * first; lower values are refused.
     */
    private int filterOrder = WebSocketProxyAutoConfiguration.DEFAULT_FILTER_ORDER;
    /** The routes: exact paths first, then the longest matching prefix, then regexes in list order. */
    private List<Route> routes = new ArrayList<>();
    /** Concurrent connections over all routes; over it: 503 with Retry-After. Default: unlimited. */
    private Integer maxConnections;
    /** Concurrent connections per client address; over it: 503 with Retry-After. Default: unlimited. */
    private Integer maxConnectionsPerClient;
    /** How long shutdown waits for close handshakes (clients get 1001) before dropping connections. Default: 10s. */
    private Duration drainTimeout;
    /** How long a client may take to send its request head (Jetty: then 408). Default: 10s. */
    private Duration requestHeadTimeout;
    /** Put the full upstream failure (with its address) in refusal bodies. Default: false. */
    private Boolean detailedErrors;
    /** Message mode's upstream client: auto (Jetty's when present, else Tyrus), jetty or tyrus. Default: auto. */
    private String messageClient;
    /** Aggregate metrics (Actuator/Micrometer with ws-proxy-micrometer, JMX). Default: true. */
    private Boolean metrics;
    /** Register the metrics as JMX MBeans under dev.wsproxy:type=Route|Upstream. Default: false. */
    private Boolean jmx;
    /** Access log on the logger dev.wsproxy.access: keyvalue, json or off. Default: keyvalue. */
    private String accessLog;

    public Boolean getMetrics() {
        return metrics;
    }

    public void setMetrics(Boolean metrics) {
        this.metrics = metrics;
    }

    public Boolean getJmx() {
        return jmx;
    }

    public void setJmx(Boolean jmx) {
        this.jmx = jmx;
    }

    public String getAccessLog() {
        return accessLog;
    }

    public void setAccessLog(String accessLog) {
        this.accessLog = accessLog;
    }

    /** How long an AsyncHandshakeAuthorizer bean may take to decide; later: 503. Default: 10s. */
    private Duration authorizationTimeout;

    public Duration getAuthorizationTimeout() {
        return authorizationTimeout;
    }

    public void setAuthorizationTimeout(Duration authorizationTimeout) {
        this.authorizationTimeout = authorizationTimeout;
    }

    public Duration getRequestHeadTimeout() {
        return requestHeadTimeout;
    }

    public void setRequestHeadTimeout(Duration requestHeadTimeout) {
        this.requestHeadTimeout = requestHeadTimeout;
    }

    public Boolean getDetailedErrors() {
        return detailedErrors;
    }

    public void setDetailedErrors(Boolean detailedErrors) {
        this.detailedErrors = detailedErrors;
    }

    public String getMessageClient() {
        return messageClient;
    }

    public void setMessageClient(String messageClient) {
        this.messageClient = messageClient;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getFilterOrder() {
        return filterOrder;
    }

    public void setFilterOrder(int filterOrder) {
        this.filterOrder = filterOrder;
    }

    public List<Route> getRoutes() {
        return routes;
    }

    public void setRoutes(List<Route> routes) {
        this.routes = routes;
    }

    public Integer getMaxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(Integer maxConnections) {
        this.maxConnections = maxConnections;
    }

    public Integer getMaxConnectionsPerClient() {
        return maxConnectionsPerClient;
    }

    public void setMaxConnectionsPerClient(Integer maxConnectionsPerClient) {
        this.maxConnectionsPerClient = maxConnectionsPerClient;
    }

    public Duration getDrainTimeout() {
        return drainTimeout;
    }

    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    /** One route ({@code ws-proxy.routes[n].*}): exactly one of prefix, exact or regex, and an upstream. */
    public static class Route {
        /** Path prefix the route takes, e.g. /ws/chat/ (nginx location semantics; the longest prefix wins). */
        private String prefix;
        /** A whole path the route takes, e.g. /live. */
        private String exact;
        /** A regex the whole path must match, e.g. ^/rooms/([^/]+)$; the upstream may use $1..$9. */
        private String regex;
        /** ws://host[:port][/path] or wss://... (TLS verified: certificate and host name). */
        private String upstream;
        /** TCP connect plus the upstream's handshake; over it the client gets 504. Default: 10s. */
        private Duration connectTimeout;
        /** Interval at which the proxy pings each peer to find dead ones; 0 turns pings off. Default: 30s. */
        private Duration pingInterval;
        /** Close both sides with 1001 after this long without data either way; 0 is off. Default: off. */
        private Duration idleTimeout;
        /** Largest frame accepted from the upstream; larger: 1009. Default: 16MB. */
        private DataSize maxFrameSize;
        /** Largest message relayed either way (streamed, never buffered); larger: 1009. Default: 64MB. */
        private DataSize maxMessageSize;
        /** Concurrent connections on this route; over it: 503 with Retry-After. Default: unlimited. */
        private Integer maxConnections;
        /** Plain HTTP requests on the route get 426 (true) or go on to the application (false). Default: false. */
        private Boolean rejectNonUpgrade;
        /** The upstream gets the client's Host (true) or its own host and port (false). Default: true. */
        private Boolean preserveHost;
        /** Allowed Origins (scheme://host[:port]); others get 403. Default: any. */
        private List<String> allowedOrigins;
        /** IPs/CIDRs whose X-Forwarded-* and Forwarded headers are believed. Default: none. */
        private List<String> trustedProxies;
        /** Also send an RFC 7239 Forwarded header upstream. Default: false. */
        private Boolean forwardedHeader;
        /** Upstream request headers to set (replacing the client's), by name. */
        private Map<String, String> setHeader = new LinkedHashMap<>();
        /** Upstream request headers to add (beside the client's), by name. */
        private Map<String, String> addHeader = new LinkedHashMap<>();
        /** Client headers not to send upstream. */
        private List<String> removeHeaders = new ArrayList<>();
        /** Forward a %2F inside a path segment instead of refusing it with 400. Default: false. */
        private Boolean allowEncodedSlash;
        /** Forward repeated '/' as sent (matching still merges them). Default: false. */
        private Boolean keepRepeatedSlashes;
        /** Keep client headers whose names contain '_'. Default: false (dropped). */
        private Boolean keepUnderscoreHeaders;
        /** Header that carries the authenticated user (getRemoteUser()) upstream; the client's own value is always dropped. Default: none. */
        private String userHeader;
        /** tunnel (bytes relayed, end-to-end negotiation; the default) or message (per-hop sessions). */
        private String relayMode;
        /**
         * A pool instead of one upstream: members 'uri [weight=N] [backup] [max-connections=N] [expand-addresses]',
         * sharing one path ('expand-addresses': each address of the host name is a member of its own).
         */
        private List<String> upstreams;
        /** least-connections (default), round-robin, power-of-two-choices, hash:client-address, hash:header:NAME, hash:cookie:NAME, hash:query:NAME or hash:path:GROUP. */
        private String balance;
        /** Failures within fail-timeout that eject a pool member (0: never). Default: 1. */
        private Integer maxFails;
        /** Window for max-fails and first ejection length (doubles while failing). Default: 10s. */
        private Duration failTimeout;
        /** Connect attempts per handshake before the 101 (0: each member once). Default: 0. */
        private Integer maxAttempts;
        /** Deadline of one attempt (0: connect-timeout split over the attempts). Default: 0. */
        private Duration attemptTimeout;
        /** How long a member's resolved host name is reused (0: resolve per connect). Default: 30s. */
        private Duration dnsTtl;
        /** Active health check: websocket (a handshake) or http:/path (a GET). Default: none. */
        private String healthCheck;
        /** Interval of the active health check. Default: 5s. */
        private Duration healthCheckInterval;
        /** Deadline of one health check. Default: 2s. */
        private Duration healthCheckTimeout;
        /** Passed checks in a row that mark a member up. Default: 2. */
        private Integer healthCheckRise;
        /** Failed checks in a row that mark a member down. Default: 3. */
        private Integer healthCheckFall;

        /** Messages per second each client may send (token bucket); 0 or unset: unlimited. */
        private Double rateLimitMessagesPerSecond;
        /** Payload bytes per second each client may send (token bucket), e.g. 256KB; unset: unlimited. */
        private DataSize rateLimitBytesPerSecond;
        /** Over the rate limit: slow-down (read slower, the default) or close (1008). */
        private String rateLimitAction;

        public Double getRateLimitMessagesPerSecond() {
            return rateLimitMessagesPerSecond;
        }

        public void setRateLimitMessagesPerSecond(Double rateLimitMessagesPerSecond) {
            this.rateLimitMessagesPerSecond = rateLimitMessagesPerSecond;
        }

        public DataSize getRateLimitBytesPerSecond() {
            return rateLimitBytesPerSecond;
        }

        public void setRateLimitBytesPerSecond(DataSize rateLimitBytesPerSecond) {
            this.rateLimitBytesPerSecond = rateLimitBytesPerSecond;
        }

        public String getRateLimitAction() {
            return rateLimitAction;
        }

        public void setRateLimitAction(String rateLimitAction) {
            this.rateLimitAction = rateLimitAction;
        }

        public String getPrefix() {
            return prefix;
        }

        public void setPrefix(String prefix) {
            this.prefix = prefix;
        }

        public String getExact() {
            return exact;
        }

        public void setExact(String exact) {
            this.exact = exact;
        }

        public String getRegex() {
            return regex;
        }

        public void setRegex(String regex) {
            this.regex = regex;
        }

        public String getUpstream() {
            return upstream;
        }

        public void setUpstream(String upstream) {
            this.upstream = upstream;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public Duration getPingInterval() {
            return pingInterval;
        }

        public void setPingInterval(Duration pingInterval) {
            this.pingInterval = pingInterval;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public DataSize getMaxFrameSize() {
            return maxFrameSize;
        }

        public void setMaxFrameSize(DataSize maxFrameSize) {
            this.maxFrameSize = maxFrameSize;
        }

        public DataSize getMaxMessageSize() {
            return maxMessageSize;
        }

        public void setMaxMessageSize(DataSize maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
        }

        public Integer getMaxConnections() {
            return maxConnections;
        }

        public void setMaxConnections(Integer maxConnections) {
            this.maxConnections = maxConnections;
        }

        public Boolean getRejectNonUpgrade() {
            return rejectNonUpgrade;
        }

        public void setRejectNonUpgrade(Boolean rejectNonUpgrade) {
            this.rejectNonUpgrade = rejectNonUpgrade;
        }

        public Boolean getPreserveHost() {
            return preserveHost;
        }

        public void setPreserveHost(Boolean preserveHost) {
            this.preserveHost = preserveHost;
        }

        public List<String> getAllowedOrigins() {
            return allowedOrigins;
        }

        public void setAllowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
        }

        public List<String> getTrustedProxies() {
            return trustedProxies;
        }

        public void setTrustedProxies(List<String> trustedProxies) {
            this.trustedProxies = trustedProxies;
        }

        public Boolean getForwardedHeader() {
            return forwardedHeader;
        }

        public void setForwardedHeader(Boolean forwardedHeader) {
            this.forwardedHeader = forwardedHeader;
        }

        public Map<String, String> getSetHeader() {
            return setHeader;
        }

        public void setSetHeader(Map<String, String> setHeader) {
            this.setHeader = setHeader;
        }

        public Map<String, String> getAddHeader() {
            return addHeader;
        }

        public void setAddHeader(Map<String, String> addHeader) {
            this.addHeader = addHeader;
        }

        public Boolean getAllowEncodedSlash() {
            return allowEncodedSlash;
        }

        public void setAllowEncodedSlash(Boolean allowEncodedSlash) {
            this.allowEncodedSlash = allowEncodedSlash;
        }

        public Boolean getKeepRepeatedSlashes() {
            return keepRepeatedSlashes;
        }

        public void setKeepRepeatedSlashes(Boolean keepRepeatedSlashes) {
            this.keepRepeatedSlashes = keepRepeatedSlashes;
        }

        public Boolean getKeepUnderscoreHeaders() {
            return keepUnderscoreHeaders;
        }

        public void setKeepUnderscoreHeaders(Boolean keepUnderscoreHeaders) {
            this.keepUnderscoreHeaders = keepUnderscoreHeaders;
        }

        public String getUserHeader() {
            return userHeader;
        }

        public void setUserHeader(String userHeader) {
            this.userHeader = userHeader;
        }

        public String getRelayMode() {
            return relayMode;
        }

        public void setRelayMode(String relayMode) {
            this.relayMode = relayMode;
        }

        public List<String> getRemoveHeaders() {
            return removeHeaders;
        }

        public void setRemoveHeaders(List<String> removeHeaders) {
            this.removeHeaders = removeHeaders;
        }

        public List<String> getUpstreams() {
            return upstreams;
        }

        public void setUpstreams(List<String> upstreams) {
            this.upstreams = upstreams;
        }

        public String getBalance() {
            return balance;
        }

        public void setBalance(String balance) {
            this.balance = balance;
        }

        public Integer getMaxFails() {
            return maxFails;
        }

        public void setMaxFails(Integer maxFails) {
            this.maxFails = maxFails;
        }

        public Duration getFailTimeout() {
            return failTimeout;
        }

        public void setFailTimeout(Duration failTimeout) {
            this.failTimeout = failTimeout;
        }

        public Integer getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getAttemptTimeout() {
            return attemptTimeout;
        }

        public void setAttemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = attemptTimeout;
        }

        public Duration getDnsTtl() {
            return dnsTtl;
        }

        public void setDnsTtl(Duration dnsTtl) {
            this.dnsTtl = dnsTtl;
        }

        public String getHealthCheck() {
            return healthCheck;
        }

        public void setHealthCheck(String healthCheck) {
            this.healthCheck = healthCheck;
        }

        public Duration getHealthCheckInterval() {
            return healthCheckInterval;
        }

        public void setHealthCheckInterval(Duration healthCheckInterval) {
            this.healthCheckInterval = healthCheckInterval;
        }

        public Duration getHealthCheckTimeout() {
            return healthCheckTimeout;
        }

        public void setHealthCheckTimeout(Duration healthCheckTimeout) {
            this.healthCheckTimeout = healthCheckTimeout;
        }

        public Integer getHealthCheckRise() {
            return healthCheckRise;
        }

        public void setHealthCheckRise(Integer healthCheckRise) {
            this.healthCheckRise = healthCheckRise;
        }

        public Integer getHealthCheckFall() {
            return healthCheckFall;
        }

        public void setHealthCheckFall(Integer healthCheckFall) {
            this.healthCheckFall = healthCheckFall;
        }
    }
}
