package dev.wsproxy.containers;

/**
 * The container contract on embedded Tomcat 11 with the NIO2 connector, whose sockets a tunnel cannot read on
 * its own selector loop: the tunnel reads and writes them through Tomcat's socket wrapper.
 */
class Tomcat11Nio2ContractTest extends Tomcat11ContractTest {
    @Override
    String connectorProtocol() {
        return EmbeddedTomcat.NIO2;
    }

    @Override
    boolean tunnelReadsTheSocketItself() {
        return false;
    }
}
