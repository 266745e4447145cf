package dev.wsproxy.containers;

/** The container contract on embedded Tomcat 11 (the module's declared Tomcat dependency). */
class Tomcat11ContractTest extends TomcatTunnelContract {
    @Override
    String tomcatLine() {
        return "11";
    }
}
