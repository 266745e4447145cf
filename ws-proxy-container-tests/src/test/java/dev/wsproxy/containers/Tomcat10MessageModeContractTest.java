package dev.wsproxy.containers;

import dev.wsproxy.ProxyRoute;

/** The container contract on embedded Tomcat 10.1 (the pom's {@code tomcat-10.1} execution) in message mode (the Jakarta relay); {@link Tomcat10ContractTest} runs tunnel mode. */
class Tomcat10MessageModeContractTest extends TomcatContract {
    @Override
    String tomcatLine() {
        return "10.1";
    }

    @Override
    protected ProxyRoute.RelayMode relayMode() {
        return ProxyRoute.RelayMode.MESSAGE;
    }
}
