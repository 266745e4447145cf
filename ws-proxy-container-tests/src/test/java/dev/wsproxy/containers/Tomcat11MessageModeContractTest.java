package dev.wsproxy.containers;

import dev.wsproxy.ProxyRoute;

/** The container contract on embedded Tomcat 11 in message mode (the Jakarta relay); {@link Tomcat11ContractTest} runs tunnel mode. */
class Tomcat11MessageModeContractTest extends Tomcat11ContractTest {
    @Override
    protected ProxyRoute.RelayMode relayMode() {
        return ProxyRoute.RelayMode.MESSAGE;
    }
}
