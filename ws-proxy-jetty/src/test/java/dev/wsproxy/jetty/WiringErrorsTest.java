package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.WebSocketProxyFilter;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/** Wiring mistakes fail where they are made, with a message that names the fix. */
class WiringErrorsTest {

    private static WebSocketProxy proxy() {
        return WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream("ws://127.0.0.1:1/").build())
                .build();
    }

    private static Server server(ServletContextHandler context) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(context);
        return server;
    }

    @Test
    void mountAfterStartFailsNamingTheFix() throws Exception {
        try (WebSocketProxy proxy = proxy()) {
            ServletContextHandler context = new ServletContextHandler("/");
            Server server = server(context);
            server.start();
            try {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> JettyWebSocketProxy.mount(context, proxy));
                assertTrue(e.getMessage().contains("call mount before server.start()"), e.getMessage());
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void plainFilterWithoutWebSocketContainerFailsAtStartNamingTheMounts() throws Exception {
        try (WebSocketProxy proxy = proxy()) {
            ServletContextHandler context = new ServletContextHandler("/");
            context.addFilter(new FilterHolder(new WebSocketProxyFilter(proxy)), "/*",
                    EnumSet.of(DispatcherType.REQUEST));
            Server server = server(context);
            try {
                Exception e = assertThrows(Exception.class, server::start);
                String messages = causeMessages(e);
                assertTrue(messages.contains("JettyWebSocketProxy.mount(context, proxy)")
                        && messages.contains("WebSocketProxyRegistration.register(servletContext, proxy)"), messages);
            } finally {
                server.stop();
            }
        }
    }

    private static String causeMessages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
            for (Throwable s : t.getSuppressed()) {
                all.append(causeMessages(s));
            }
        }
        return all.toString();
    }
}
