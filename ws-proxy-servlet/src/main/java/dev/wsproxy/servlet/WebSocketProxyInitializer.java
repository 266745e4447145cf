package dev.wsproxy.servlet;

import dev.wsproxy.WebSocketProxy;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounts a proxy in a WAR without code: put {@code ws-proxy-servlet} (and its dependencies) in
 * {@code WEB-INF/lib} and the routes in {@code /WEB-INF/ws-proxy.properties} (format: {@link ProxyProperties}).
 * The container finds this initializer through {@code META-INF/services/jakarta.servlet.ServletContainerInitializer}.
 *
 * <p>Where the configuration is read from: the context init-parameter {@value #CONFIG_PARAM} if set
 * ({@code /WEB-INF/other.properties} for a web-app resource, {@code classpath:name.properties} for a class path
 * resource), otherwise {@value #DEFAULT_LOCATION}. No file at the default location: the initializer does
 * nothing, so the jar is harmless in applications that register the proxy in code. A broken file fails the
 * deployment with a message naming the key.
 *
 * <p>Lifecycle: the proxy is created when the context starts, exposed as the context attribute
 * {@value #PROXY_ATTRIBUTE}, and closed when the context is destroyed (connections get 1001). The container
 * calls {@link #onStartup} once per context, on one thread.
 */
public final class WebSocketProxyInitializer implements ServletContainerInitializer {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketProxyInitializer.class);

    /** The context init-parameter naming the configuration. */
    public static final String CONFIG_PARAM = "dev.wsproxy.config";
    /** Where the configuration is looked for by default. */
    public static final String DEFAULT_LOCATION = "/WEB-INF/ws-proxy.properties";
    /** The context attribute holding the {@link WebSocketProxy} this initializer created. */
    public static final String PROXY_ATTRIBUTE = "dev.wsproxy.WebSocketProxy";

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) throws ServletException {
        String configured = context.getInitParameter(CONFIG_PARAM);
        String location = configured == null || configured.isBlank() ? DEFAULT_LOCATION : configured.trim();
        Properties properties;
        try {
            properties = load(context, location);
        } catch (IOException e) {
            throw new ServletException("ws-proxy: could not read " + location + ": " + e.getMessage(), e);
        }
        if (properties == null) {
            if (configured != null) {
                throw new ServletException("ws-proxy: " + CONFIG_PARAM + " names '" + location
                        + "' but there is no such resource");
            }
            LOG.debug("no {} in context '{}': ws-proxy not configured by file", location, context.getContextPath());
            return;
        }
        WebSocketProxy proxy;
        try {
            proxy = ProxyProperties.toProxy(properties, location);
        } catch (IllegalArgumentException e) {
            throw new ServletException("ws-proxy: " + e.getMessage(), e);
        }
        try {
            WebSocketProxyRegistration.register(context, proxy);
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
        context.setAttribute(PROXY_ATTRIBUTE, proxy);
        context.addListener(new CloseOnDestroy(proxy));
        LOG.info("ws-proxy configured from {}: {}", location, proxy.routes());
    }

    private static Properties load(ServletContext context, String location) throws IOException {
        InputStream stream;
        if (location.startsWith("classpath:")) {
            String name = location.substring("classpath:".length());
            name = name.startsWith("/") ? name.substring(1) : name;
            ClassLoader loader = context.getClassLoader() != null ? context.getClassLoader()
                    : WebSocketProxyInitializer.class.getClassLoader();
            stream = loader.getResourceAsStream(name);
        } else {
            stream = context.getResourceAsStream(location.startsWith("/") ? location : "/" + location);
        }
        if (stream == null) {
            return null;
        }
        try (InputStreamReader reader = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
            Properties properties = new Properties();
            properties.load(reader);
            return properties;
        }
    }

    /** Closes the proxy this initializer created when its context goes away. */
    private static final class CloseOnDestroy implements ServletContextListener {
        private final WebSocketProxy proxy;

        CloseOnDestroy(WebSocketProxy proxy) {
            this.proxy = proxy;
        }

        @Override
        public void contextDestroyed(ServletContextEvent event) {
            event.getServletContext().removeAttribute(PROXY_ATTRIBUTE);
            proxy.close();
        }
    }
}
