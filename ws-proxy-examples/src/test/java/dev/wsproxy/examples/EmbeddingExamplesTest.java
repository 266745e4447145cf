package dev.wsproxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.testing.Backend;
import dev.wsproxy.testing.TestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/** The README's two embedding samples, run for real. */
class EmbeddingExamplesTest {

    @Test
    void jettyMountProxiesWebSocketsAndKeepsTheApplicationsServlets() throws Exception {
        try (Backend backend = Backend.start();
             WebSocketProxy proxy = WebSocketProxy.builder()
                     .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).build())
                     .build()) {
            Server server = JettyEmbeddingExample.server(proxy, 0);
            server.start();
            try {
                int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
                assertEchoes("ws://127.0.0.1:" + port + "/ws/echo");
                assertEquals("/echo", backend.takeHandshake().path);
                HttpResponse<String> hello = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals("hello from the application", hello.body().strip());
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void servletContextListenerRegistersTheFilter() throws Exception {
        try (Backend backend = Backend.start()) {
            Server server = new Server(0);
            ServletContextHandler context = new ServletContextHandler("/app");
            JakartaWebSocketServletContainerInitializer.configure(context, null);
            context.setInitParameter("ws-proxy.upstream", backend.uri("/"));
            context.addEventListener(new ServletContainerEmbeddingExample());
            server.setHandler(context);
            server.start();
            try {
                int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
                assertEchoes("ws://127.0.0.1:" + port + "/app/ws/chat?room=1");
                Backend.Recorded handshake = backend.takeHandshake();
                assertEquals("/chat", handshake.path);
                assertEquals("room=1", handshake.query);
            } finally {
                server.stop();
            }
        }
    }

    private static void assertEchoes(String uri) throws Exception {
        try (TestClient client = TestClient.connect(uri)) {
            client.sendText("ping");
            assertEquals("ping", client.next().asText());
        }
    }
}
