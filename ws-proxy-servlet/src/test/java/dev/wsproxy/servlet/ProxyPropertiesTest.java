package dev.wsproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ProxyPropertiesTest {

    private static Properties props(String text) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(text));
        return p;
    }

    private static String error(String text) throws IOException {
        Properties p = props(text);
        return assertThrows(IllegalArgumentException.class, () -> ProxyProperties.toBuilder(p, "test.properties"))
                .getMessage();
    }

    @Test
    void routesAreBuiltInListedOrderWithTheirSettings() throws Exception {
        try (WebSocketProxy proxy = ProxyProperties.toProxy(props(String.join("\n",
                "routes = chat, api",
                "route.chat.prefix = /ws/chat/",
                "route.chat.upstream = ws://chat:8080/",
                "route.chat.connect-timeout = 5s",
                "route.api.regex = ^/ws/api/(.*)$",
                "route.api.upstream = ws://api:8080/$1",
                "route.api.preserve-host = false",
                "route.api.reject-non-upgrade = true")), "test.properties")) {
            List<ProxyRoute> routes = proxy.routes();
            assertEquals(2, routes.size());
            assertEquals(ProxyRoute.Match.PREFIX, routes.get(0).match());
            assertEquals("/ws/chat/", routes.get(0).path());
            assertEquals(Duration.ofSeconds(5), routes.get(0).connectTimeout());
            assertTrue(routes.get(0).preserveHost());
            assertEquals(ProxyRoute.Match.REGEX, routes.get(1).match());
            assertFalse(routes.get(1).preserveHost());
            assertTrue(routes.get(1).rejectNonUpgrade());
        }
    }

    @Test
    void everyRouteAndProxySettingHasAKey() throws Exception {
        try (WebSocketProxy proxy = ProxyProperties.toProxy(props(String.join("\n",
                "routes = api",
                "max-connections = 100",
                "max-connections-per-client = 5",
                "drain-timeout = 3s",
                "request-head-timeout = 4s",
                "detailed-errors = true",
                "route.api.prefix = /ws/",
                "route.api.upstream = ws://api:8080/",
                "route.api.ping-interval = 15s",
                "route.api.client-compression = true",
                "route.api.idle-timeout = 10m",
                "route.api.max-frame-size = 1MiB",
                "route.api.max-message-size = 64KiB",
                "route.api.max-connections = 7",
                "route.api.trusted-proxies = 10.0.0.0/8, ::1",
                "route.api.forwarded-header = true",
                "route.api.allowed-origins = https://app.example.com",
                "route.api.set-header.X-Tenant = blue",
                "route.api.add-header.X-Trace = proxy",
                "route.api.remove-headers = Cookie, X-Debug",
                "route.api.allow-encoded-slash = true",
                "route.api.keep-repeated-slashes = true",
                "route.api.keep-underscore-headers = true",
                "route.api.user-header = X-Forwarded-User")), "test.properties")) {
            assertEquals(Duration.ofSeconds(4), proxy.requestHeadTimeout());
            assertTrue(proxy.detailedErrors());
            ProxyRoute route = proxy.routes().get(0);
            assertEquals(Duration.ofSeconds(15), route.pingInterval());
            assertTrue(route.clientCompression());
            assertEquals(Duration.ofMinutes(10), route.idleTimeout());
            assertEquals(1 << 20, route.maxFrameSize());
            assertEquals(64 << 10, route.maxMessageSize());
            assertEquals(7, route.maxConnections());
            assertEquals(List.of("10.0.0.0/8", "::1"), route.trustedProxies());
            assertTrue(route.forwardedHeader());
            assertEquals(List.of("https://app.example.com"), route.allowedOrigins());
            assertTrue(route.allowEncodedSlash());
            assertTrue(route.keepRepeatedSlashes());
            assertTrue(route.keepUnderscoreHeaders());
            assertEquals("X-Forwarded-User", route.userHeader());
        }
    }

    @Test
    void metricsJmxAndAccessLogHaveKeys() throws Exception {
        javax.management.ObjectName route = new javax.management.ObjectName(
                "dev.wsproxy:type=Route,name=\"/props-jmx/\"");
        String base = "routes = a\nroute.a.prefix = /props-jmx/\nroute.a.upstream = ws://b/\njmx = true\n";
        try (WebSocketProxy proxy = ProxyProperties.toProxy(props(base + "access-log = json\n"), "test")) {
            assertTrue(java.lang.management.ManagementFactory.getPlatformMBeanServer().isRegistered(route));
        }
        try (WebSocketProxy proxy = ProxyProperties.toProxy(props(base + "metrics = false\n"), "test")) {
            assertFalse(java.lang.management.ManagementFactory.getPlatformMBeanServer().isRegistered(route));
        }
        assertEquals("test.properties: access-log must be keyvalue, json or off but was 'xml'",
                error(base + "access-log = xml"));
    }

    @Test
    void badSizeShowsValueAndFix() throws Exception {
        String message = error("routes = a\nroute.a.prefix = /\nroute.a.upstream = ws://b/\nroute.a.max-frame-size = 16MB");
        assertTrue(message.contains("route.a.max-frame-size must be a number, optionally with KiB or MiB, but was"
                + " '16MB' (use e.g. 16MiB)"), message);
    }

    @Test
    void headerEditWithBadNameIsRejectedByTheRoute() throws Exception {
        String message = error("routes = a\nroute.a.prefix = /\nroute.a.upstream = ws://b/\n"
                + "route.a.set-header.Upgrade = h2c");
        assertTrue(message.startsWith("test.properties: route 'a': "), message);
    }

    @Test
    void durationsAcceptShortFormsAndIso() {
        assertEquals(Duration.ofMillis(500), ProxyProperties.duration("500ms", "k", "w"));
        assertEquals(Duration.ofSeconds(5), ProxyProperties.duration("5s", "k", "w"));
        assertEquals(Duration.ofMinutes(2), ProxyProperties.duration("2m", "k", "w"));
        assertEquals(Duration.ofHours(1), ProxyProperties.duration("1h", "k", "w"));
        assertEquals(Duration.ofSeconds(7), ProxyProperties.duration("PT7S", "k", "w"));
    }

    @Test
    void missingRoutesListSaysHowToWriteOne() throws Exception {
        assertTrue(error("route.a.prefix=/ws/").contains("'routes' is missing"));
    }

    @Test
    void missingUpstreamNamesTheKey() throws Exception {
        assertTrue(error("routes=a\nroute.a.prefix=/ws/").contains("route.a.upstream is missing"));
    }

    @Test
    void twoMatchKindsAreRejected() throws Exception {
        assertTrue(error("routes=a\nroute.a.prefix=/ws/\nroute.a.exact=/ws\nroute.a.upstream=ws://b/")
                .contains("exactly one of"));
    }

    @Test
    void typoInKeyIsRejectedNotIgnored() throws Exception {
        assertTrue(error("routes=a\nroute.a.prefix=/ws/\nroute.a.upstream=ws://b/\nroute.a.conect-timeout=1s")
                .contains("unknown key 'route.a.conect-timeout'"));
    }

    @Test
    void typoInKeyNamesTheClosestKey() throws Exception {
        assertTrue(error("routes=a\nroute.a.prefix=/ws/\nroute.a.upstream=ws://b/\nroute.a.conect-timeout=1s")
                .contains("did you mean 'route.a.connect-timeout'?"));
        assertTrue(error("routes=a\nroute.a.prefix=/ws/\nroute.a.upstream=ws://b/\nmax-conections=5")
                .contains("did you mean 'max-connections'?"));
    }

    @Test
    void routeNotListedIsRejected() throws Exception {
        assertTrue(error("routes=a\nroute.a.prefix=/ws/\nroute.a.upstream=ws://b/\nroute.b.prefix=/x/")
                .contains("not listed in 'routes'"));
    }

    @Test
    void badDurationShowsValueAndFix() throws Exception {
        String message = error("routes=a\nroute.a.prefix=/ws/\nroute.a.upstream=ws://b/\nroute.a.connect-timeout=soon");
        assertTrue(message.contains("'soon'") && message.contains("10s"), message);
    }

    @Test
    void invalidRouteFromCoreIsPrefixedWithSourceAndRoute() throws Exception {
        String message = error("routes=a\nroute.a.prefix=/ws/\nroute.a.upstream=http://b/");
        assertTrue(message.startsWith("test.properties: route 'a': "), message);
    }
}
