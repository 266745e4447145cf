package dev.wsproxy.examples;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.jetty.JettyWebSocketProxy;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;

/**
 * Embedding ws-proxy in an application that runs embedded Jetty 12 (ee10): one {@link WebSocketProxy}, one
 * {@link JettyWebSocketProxy#mount} call. WebSocket upgrades on {@code /ws/} go to the backend; every other
 * request (here {@code /hello}) reaches the application's own servlets as before.
 */
public final class JettyEmbeddingExample {

    private JettyEmbeddingExample() {
    }

    public static void main(String[] args) throws Exception {
        WebSocketProxy proxy = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream("ws://127.0.0.1:9000/").build())
                .build();
        Server server = server(proxy, 8080);
        server.start();
        server.join();
        proxy.close();
    }

    /** The application: its own servlet plus the proxy, in one context. */
    static Server server(WebSocketProxy proxy, int port) {
        Server server = new Server(port);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(HelloServlet.class, "/hello"); // the application's own servlets, unchanged
        // the application's security filters go here, before the mount: filters run in the order added,
        // and a handshake the proxy upgrades never reaches the filters after it
        JettyWebSocketProxy.mount(context, proxy);         // WebSocket upgrades on /ws/ go to the backend
        server.setHandler(context);
        return server;
    }

    /** Stands for the rest of the application. */
    public static final class HelloServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain;charset=utf-8");
            response.getWriter().println("hello from the application");
        }
    }
}
