package dev.wsproxy.containers;

/** The container contract on embedded Tomcat 10.1: run by the pom's {@code tomcat-10.1} surefire execution. */
class Tomcat10ContractTest extends TomcatTunnelContract {
    @Override
    String tomcatLine() {
        return "10.1";
    }
}
