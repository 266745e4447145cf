package dev.wsproxy.servlet;

import dev.wsproxy.WebSocketProxy;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a {@link WebSocketProxy} in a servlet context in one call, smoothing over what differs between
 * containers, so the same line works in Tomcat, Jetty and Undertow:
 *
 * <pre>{@code
 * // from a ServletContainerInitializer, a ServletContextListener's contextInitialized, or Spring's
 * // ServletContextInitializer: anywhere the context is still being initialised
 * WebSocketProxyRegistration.register(servletContext, proxy);
 * }</pre>
 *
 * <p>What it does:
 * <ol>
 *   <li>makes sure the context has a Jakarta WebSocket {@link ServerContainer}: if none is installed yet it
 *       runs the container's own initializer when it is on the classpath (Tomcat's {@code WsSci}, Jetty ee10's
 *       {@code JakartaWebSocketServletContainerInitializer}). Undertow installs its container only from the
 *       {@code DeploymentInfo}: use {@link UndertowWebSocketProxy#configure} there;</li>
 *   <li>adds {@link WebSocketProxyFilter} as {@code ws-proxy} for {@code /*}, REQUEST dispatches,
 *       async-supported, <em>after</em> filters declared in {@code web.xml} and those registered before this
 *       call, so the application's security sees every handshake first (register security filters first);</li>
 *   <li>Tomcat runs filters only for requests some servlet is mapped to: when no servlet covers {@code /}
 *       or {@code /*}, it maps a small servlet at {@code /} that answers 404, so proxied paths reach the
 *       filter. An existing default servlet (a WAR's, Spring's dispatcher) is left alone.</li>
 * </ol>
 *
 * <p>Must be called while the context is initialising (the servlet API forbids adding filters later).
 * The proxy stays owned by the caller; nothing here closes it. Stateless; thread-safe.
 */
public final class WebSocketProxyRegistration {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketProxyRegistration.class);

    /** The filter's registration name. */
    public static final String FILTER_NAME = "ws-proxy";
    /** The name of the 404 servlet added when no servlet covers {@code /}. */
    public static final String FALLBACK_SERVLET_NAME = "ws-proxy-not-found";

    private static final String[] KNOWN_INITIALIZERS = {
        "org.apache.tomcat.websocket.server.WsSci",
        "org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer",
    };

    private WebSocketProxyRegistration() {
    }

    /**
     * Registers {@code proxy} in {@code context} as described above.
     *
     * @return the filter's registration, for callers that want other mappings
     * @throws IllegalStateException when the context has no WebSocket container and none can be installed,
     *     or a filter named {@value #FILTER_NAME} already exists
     */
    public static FilterRegistration.Dynamic register(ServletContext context, WebSocketProxy proxy) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(proxy, "proxy");
        ensureWebSocketContainer(context);
        FilterRegistration.Dynamic filter = context.addFilter(FILTER_NAME, new WebSocketProxyFilter(proxy));
        if (filter == null) {
            throw new IllegalStateException("a filter named '" + FILTER_NAME + "' is already registered in "
                    + describe(context) + " (register the proxy once per context)");
        }
        filter.setAsyncSupported(true);
        // isMatchAfter: after the filters of web.xml (security among them), so they see every handshake first
        filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        if (String.valueOf(context.getServerInfo()).toLowerCase(java.util.Locale.ROOT).contains("tomcat")) {
            ensureServletCoversEveryPath(context);
        }
        LOG.info("ws-proxy registered in {} with {} route(s)", describe(context), proxy.routes().size());
        return filter;
    }

    /** Installs the container's Jakarta WebSocket support unless the context already has it. */
    static void ensureWebSocketContainer(ServletContext context) {
        if (context.getAttribute(ServerContainer.class.getName()) instanceof ServerContainer) {
            return;
        }
        ClassLoader loader = context.getClassLoader() != null ? context.getClassLoader()
                : WebSocketProxyRegistration.class.getClassLoader();
        String server = String.valueOf(context.getServerInfo());
        for (String name : KNOWN_INITIALIZERS) {
            if (!matchesServer(name, server)) {
                continue;
            }
            ServletContainerInitializer initializer;
            try {
                initializer = (ServletContainerInitializer) Class.forName(name, true, loader)
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                continue;
            }
            try {
                initializer.onStartup(Set.of(), context);
            } catch (Exception e) {
                throw new IllegalStateException("could not install WebSocket support in " + describe(context)
                        + " with " + name + ": " + e, e);
            }
            if (context.getAttribute(ServerContainer.class.getName()) instanceof ServerContainer) {
                LOG.debug("installed WebSocket support with {}", name);
                return;
            }
        }
        throw new IllegalStateException("the servlet context of " + server + " has no Jakarta WebSocket"
                + " container and ws-proxy cannot install one (Undertow: UndertowWebSocketProxy.configure("
                + "deploymentInfo, proxy); Tomcat: add tomcat-embed-websocket; Jetty: add"
                + " jetty-ee10-websocket-jakarta-server, or use JettyWebSocketProxy.mount)");
    }

    private static boolean matchesServer(String initializer, String serverInfo) {
        // Never run one container's initializer inside another (tests often have both on the classpath).
        String server = serverInfo.toLowerCase(java.util.Locale.ROOT);
        if (initializer.startsWith("org.apache.tomcat")) {
            return server.contains("tomcat");
        }
        return server.contains("jetty");
    }

    private static void ensureServletCoversEveryPath(ServletContext context) {
        Collection<? extends ServletRegistration> servlets = context.getServletRegistrations().values();
        for (ServletRegistration servlet : servlets) {
            Collection<String> mappings = servlet.getMappings();
            if (mappings.contains("/") || mappings.contains("/*")) {
                return;
            }
        }
        ServletRegistration.Dynamic notFound = context.addServlet(FALLBACK_SERVLET_NAME, new NotFoundServlet());
        if (notFound != null) {
            notFound.addMapping("/");
        }
    }

    private static String describe(ServletContext context) {
        String path = context.getContextPath();
        return "context '" + (path == null || path.isEmpty() ? "/" : path) + "'";
    }

    /** Answers 404 for paths no app servlet serves; exists so that Tomcat runs the proxy filter there. */
    private static final class NotFoundServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }
}
