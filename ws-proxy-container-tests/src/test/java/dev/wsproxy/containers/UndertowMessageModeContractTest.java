package dev.wsproxy.containers;

import dev.wsproxy.ProxyRoute;

/** The container contract on Undertow 2.3 in message mode (the Jakarta relay); {@link UndertowContractTest} runs tunnel mode. */
class UndertowMessageModeContractTest extends UndertowContractTest {
    @Override
    protected ProxyRoute.RelayMode relayMode() {
        return ProxyRoute.RelayMode.MESSAGE;
    }
}
