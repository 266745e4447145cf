package dev.wsproxy.jetty;

import dev.wsproxy.ProxyRoute;

/** The container contract on embedded Jetty 12 in message mode; {@link JettyContractTest} runs tunnel mode. */
class JettyMessageModeContractTest extends JettyContractTest {
    @Override
    protected ProxyRoute.RelayMode relayMode() {
        return ProxyRoute.RelayMode.MESSAGE;
    }
}
