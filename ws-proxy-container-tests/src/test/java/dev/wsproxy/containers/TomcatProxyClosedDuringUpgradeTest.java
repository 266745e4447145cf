package dev.wsproxy.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.RawWebSocket;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpUpgradeHandler;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy closed while Tomcat upgrades a client whose upstream already answered: the tunnel ended before it
 * opened, and the client still gets its close frame (1001) on the socket it was upgraded on, before the
 * connection ends; the upstream gets 1001 too. A filter in front of the proxy's closes the proxy from inside
 * {@code HttpServletRequest.upgrade}, which is that moment exactly.
 */
class TomcatProxyClosedDuringUpgradeTest {

    @TempDir
    Path dir;

    @Test
    void aClientUpgradedAfterTheProxyClosedGetsGoingAway() throws Exception {
        try (Backend backend = Backend.start();
             WebSocketProxy proxy = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build()).build();
             EmbeddedTomcat tomcat = EmbeddedTomcat.start(dir, EmbeddedTomcat.NIO, proxy, context -> {
                 Filter closingOnUpgrade = (request, response, chain) -> chain.doFilter(
                         new HttpServletRequestWrapper((HttpServletRequest) request) {
                             @Override
                             public <T extends HttpUpgradeHandler> T upgrade(Class<T> type)
                                     throws IOException, jakarta.servlet.ServletException {
                                 proxy.close();
                                 return super.upgrade(type);
                             }
                         }, response);
                 FilterDef def = new FilterDef();
                 def.setFilterName("closing-on-upgrade");
                 def.setFilter(closingOnUpgrade);
                 context.addFilterDef(def);
                 FilterMap map = new FilterMap();
                 map.setFilterName("closing-on-upgrade");
                 map.addURLPattern("/*");
                 context.addFilterMap(map);
             });
             RawWebSocket client = RawWebSocket.connect(tomcat.port(), "/ws/echo")) {
            assertEquals("1001 proxy shutting down", client.awaitClose());
            assertEquals(1001, backend.takeClose().getCloseCode().getCode());
        }
    }
}
