package dev.wsproxy.servlet;

import dev.wsproxy.WebSocketProxy;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import io.undertow.websockets.jsr.WebSocketDeploymentInfo;
import java.util.Objects;
import java.util.Set;

/**
 * Registers a {@link WebSocketProxy} in an Undertow 2.3 servlet deployment. Undertow differs from Tomcat and
 * Jetty in one way that matters here: its Jakarta WebSocket container is created from a
 * {@link WebSocketDeploymentInfo} on the {@link DeploymentInfo}, before any {@code ServletContext} exists,
 * so the WebSocket support cannot be switched on from inside the context. This helper does both steps:
 *
 * <pre>{@code
 * DeploymentInfo deployment = Servlets.deployment()
 *     .setClassLoader(App.class.getClassLoader()).setContextPath("/").setDeploymentName("app")
 *     .addServlet(...);
 * UndertowWebSocketProxy.configure(deployment, proxy);
 * DeploymentManager manager = Servlets.defaultContainer().addDeployment(deployment);
 * manager.deploy();
 * }</pre>
 *
 * <p>It adds a {@link WebSocketDeploymentInfo} with a direct 16 KiB buffer pool when the deployment has none
 * (an existing one is kept), and a {@code ServletContainerInitializer} that calls
 * {@link WebSocketProxyRegistration#register}. Needs {@code io.undertow:undertow-servlet} and
 * {@code undertow-websockets-jsr} on the classpath (they are optional dependencies of this module).
 * Call before {@code deploy()}. The proxy stays owned by the caller. Stateless; thread-safe.
 */
public final class UndertowWebSocketProxy {

    private UndertowWebSocketProxy() {
    }

    /**
     * Switches on Jakarta WebSocket support in {@code deployment} (if not already on) and registers the proxy.
     *
     * @return {@code deployment}, for chaining
     */
    public static DeploymentInfo configure(DeploymentInfo deployment, WebSocketProxy proxy) {
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(proxy, "proxy");
        if (!(deployment.getServletContextAttributes().get(WebSocketDeploymentInfo.ATTRIBUTE_NAME)
                instanceof WebSocketDeploymentInfo)) {
            deployment.addServletContextAttribute(WebSocketDeploymentInfo.ATTRIBUTE_NAME,
                    new WebSocketDeploymentInfo().setBuffers(new DefaultByteBufferPool(true, 16 * 1024)));
        }
        deployment.addServletContainerInitializer(new ServletContainerInitializerInfo(
                Registrar.class, new ImmediateInstanceFactory<>(new Registrar(proxy)), Set.of()));
        return deployment;
    }

    /** Runs the context-level registration once Undertow has created the context. */
    private static final class Registrar implements jakarta.servlet.ServletContainerInitializer {
        private final WebSocketProxy proxy;

        Registrar(WebSocketProxy proxy) {
            this.proxy = proxy;
        }

        @Override
        public void onStartup(Set<Class<?>> classes, jakarta.servlet.ServletContext context) {
            WebSocketProxyRegistration.register(context, proxy);
        }
    }
}
