package dev.wsproxy.containers;

import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.servlet.UndertowWebSocketProxy;
import dev.wsproxy.servlet.testing.AppServlet;
import dev.wsproxy.servlet.testing.ContainerContract;
import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import java.net.InetSocketAddress;

/** The container contract on Undertow 2.3, registered with {@link UndertowWebSocketProxy#configure}. */
class UndertowContractTest extends ContainerContract {

    /**
     * Undertow refuses a client's 1012, 1013 or 1014 (codes only servers send): it reports the error, then
     * closes the client with 1002 and its own reason, and that close is what the upstream gets.
     */
    @Override
    public String expectedAtUpstream(int code, String reason) {
        return !tunnelMode() && code >= 1012 && code <= 1014
                ? "1002 UT002026: Invalid close frame status code: " + code : super.expectedAtUpstream(code, reason);
    }

    @Override
    protected Deployment deploy(WebSocketProxy proxy) throws Exception {
        DeploymentInfo deployment = Servlets.deployment()
                .setClassLoader(UndertowContractTest.class.getClassLoader())
                .setContextPath("/")
                .setDeploymentName("contract")
                .addServlet(Servlets.servlet("app", AppServlet.class).addMapping(APP_SERVLET_MAPPING));
        UndertowWebSocketProxy.configure(deployment, proxy);
        DeploymentManager manager = Servlets.newContainer().addDeployment(deployment);
        manager.deploy();
        Undertow server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(manager.start())
                .build();
        server.start();
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        return new Deployment() {
            @Override
            public int port() {
                return port;
            }

            @Override
            public void close() throws Exception {
                server.stop();
                manager.stop();
                manager.undeploy();
            }
        };
    }
}
