package dev.wsproxy.examples;

import java.net.BindException;

/**
 * Runs the {@link Demo}: an echo/chat backend and ws-proxy in front of it, until Ctrl-C.
 *
 * <pre>
 * mvn -B -q -pl ws-proxy-examples exec:java                 # port 8080
 * mvn -B -q -pl ws-proxy-examples exec:java -Dport=9090     # another port
 * java -cp ... dev.wsproxy.examples.DemoMain 9090           # first argument wins over -Dport
 * </pre>
 *
 * <p>Exit status: 1 when the port is taken, 2 for a port that is not a number from 0 to 65535.
 */
public final class DemoMain {

    static final int DEFAULT_PORT = 8080;

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        int port;
        try {
            port = port(args, System.getProperty("port"));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Demo demo;
        try {
            demo = Demo.start(port);
        } catch (BindException e) {
            System.err.println(portInUse(port));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(demo), "demo-shutdown"));
        System.out.println(banner(demo));
        demo.join();
    }

    private static void stop(Demo demo) {
        System.out.println("Stopping: proxy (clients get 1001), proxy server, backend ...");
        try {
            demo.close();
            System.out.println("Stopped.");
        } catch (Exception e) {
            System.err.println("Stopping failed: " + e);
        }
    }

    /**
     * The port to listen on: the first argument, else the {@code port} system property, else 8080.
     *
     * @throws IllegalArgumentException saying what was wrong and how to pass a valid port
     */
    static int port(String[] args, String property) {
        String given = args.length > 0 ? args[0] : property;
        if (given == null || given.isBlank()) {
            return DEFAULT_PORT;
        }
        try {
            int port = Integer.parseInt(given.trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("port must be a number from 0 to 65535 but was '" + given
                + "' (e.g. mvn -B -q -pl ws-proxy-examples exec:java -Dport=9090)");
    }

    /** What to tell a person whose port is taken: the problem, and the two ways to pick another port. */
    static String portInUse(int port) {
        return "Port " + port + " is already in use. Make sure no other process is using port " + port
                + " and try again,\nor start the demo on another port:\n"
                + "    mvn -B -q -pl ws-proxy-examples exec:java -Dport=9090\n"
                + "    java -cp <classpath> dev.wsproxy.examples.DemoMain 9090";
    }

    static String banner(Demo demo) {
        String backend = demo.backend().uri();
        return String.join("\n",
                "ws-proxy demo is running.",
                "  Page (open in a browser): " + demo.pageUri(),
                "  Echo through the proxy:   " + demo.proxyUri("/ws/echo")
                        + "   -> " + backend + "echo",
                "  Chat through the proxy:   " + demo.proxyUri("/ws/chat?room=lobby&name=you")
                        + "   -> " + backend + "chat?room=lobby&name=you",
                "  A down upstream:          " + demo.proxyUri(Demo.DOWN_PREFIX)
                        + "   -> nothing listening: 502, and a WARN line here",
                "Press Ctrl-C to stop.");
    }
}
