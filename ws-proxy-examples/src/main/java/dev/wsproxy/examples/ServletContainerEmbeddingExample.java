package dev.wsproxy.examples;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.WebSocketProxyFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.EnumSet;
import java.util.Objects;

/**
 * Embedding ws-proxy in any Jakarta EE 10+ servlet container (Tomcat 10.1/11, Jetty 12 ee10, ...) from a web
 * application: a {@link ServletContextListener} that builds the proxy and registers
 * {@link WebSocketProxyFilter} with {@code ServletContext.addFilter}, and closes the proxy when the
 * application stops.
 *
 * <p>The upstream comes from the context parameter {@code ws-proxy.upstream} (web.xml
 * {@code <context-param>}), default {@code ws://127.0.0.1:9000/}. The container's WebSocket support must be
 * active in the application (it is by default in Tomcat and in a Jetty ee10 webapp with the websocket
 * module). Found through {@code @WebListener} when the container scans annotations; otherwise declare it in
 * web.xml as a {@code <listener>}.
 */
@WebListener
public final class ServletContainerEmbeddingExample implements ServletContextListener {

    private WebSocketProxy proxy;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext servletContext = event.getServletContext();
        String upstream = Objects.requireNonNullElse(
                servletContext.getInitParameter("ws-proxy.upstream"), "ws://127.0.0.1:9000/");
        proxy = WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(upstream).build())
                .build();
        FilterRegistration.Dynamic filter = servletContext.addFilter("ws-proxy", new WebSocketProxyFilter(proxy));
        filter.setAsyncSupported(true); // so async servlets behind the filter keep working
        // after web.xml's filters and after any security filter added before this line: security decides first
        filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        proxy.close(); // the filter never closes the proxy: whoever built it does
    }
}
