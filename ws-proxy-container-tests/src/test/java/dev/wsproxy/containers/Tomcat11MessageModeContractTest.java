package dev.wsproxy.containers;

import dev.wsproxy.ProxyRoute;

/** The container contract on embedded Tomcat 11 in message mode (the Jakarta relay); {@link Tomcat11ContractTest} runs tunnel mode. */
class Tomcat11MessageModeContractTest extends TomcatContract {
    @Override
    String tomcatLine() {
        return "11";
    }

    @Override
    protected ProxyRoute.RelayMode relayMode() {
        return ProxyRoute.RelayMode.MESSAGE;
    }
}
