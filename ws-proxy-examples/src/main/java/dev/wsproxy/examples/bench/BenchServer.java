package dev.wsproxy.examples.bench;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.ProxyRoute.RelayMode;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.jetty.JettyProxyServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The child JVM the {@link Benchmark} starts for each server it measures, so that heap and RSS figures are
 * the server's own and not the load generator's.
 *
 * <pre>
 * java -cp ... dev.wsproxy.examples.bench.BenchServer backend         # RawEchoBackend (backend-jetty: Jetty's)
 * java -cp ... dev.wsproxy.examples.bench.BenchServer tunnel-jetty &lt;backendPort&gt;   # JettyProxyServer, tunnel
 * java -cp ... dev.wsproxy.examples.bench.BenchServer message-jetty &lt;backendPort&gt;  # JettyProxyServer, message
 * java -cp ... dev.wsproxy.examples.bench.BenchServer tunnel-tomcat &lt;backendPort&gt;  # embedded Tomcat, tunnel
 * java -cp ... dev.wsproxy.examples.bench.BenchServer tunnel-jetty-nometrics &lt;backendPort&gt;  # metrics, log off
 * java -cp ... dev.wsproxy.examples.bench.BenchServer tunnel-tomcat-1k &lt;backendPort&gt;  # Tomcat buffers 1 KiB
 * </pre>
 *
 * <p>Prints {@code PORT <n>} once listening on {@code 127.0.0.1}, then answers lines on stdin: {@code STATS}
 * (three {@code System.gc()} calls, then {@code STATS <heapUsedBytes> <rssBytes> <threads>}: the
 * heap figure is {@code MemoryMXBean} heap used after those collections, RSS is {@code VmRSS}) and
 * {@code JIT} ({@code JIT <millis>}: the JIT compilers' total time so far, from {@code CompilationMXBean}) and
 * {@code QUIT}. Exits when stdin closes, so a child never outlives a harness that died.
 */
public final class BenchServer {

    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        AutoCloseable server;
        int port;
        String mode = args.length > 0 ? args[0] : "";
        if (args.length == 1 && mode.equals("backend")) {
            RawEchoBackend backend = RawEchoBackend.start();
            server = backend;
            port = backend.port();
        } else if (args.length == 1 && mode.equals("backend-jetty")) {
            CoreEchoBackend backend = CoreEchoBackend.start();
            server = backend;
            port = backend.port();
        } else if (args.length == 2 && (mode.equals("tunnel-jetty") || mode.equals("message-jetty")
                || mode.equals("tunnel-tomcat") || mode.equals("tunnel-tomcat-1k")
                || mode.equals("tunnel-jetty-nometrics"))) {
            boolean counting = !mode.endsWith("nometrics");
            WebSocketProxy proxy = WebSocketProxy.builder()
                    .route(ProxyRoute.prefix("/").upstream("ws://127.0.0.1:" + Integer.parseInt(args[1]) + "/")
                            .relayMode(mode.startsWith("message") ? RelayMode.MESSAGE : RelayMode.TUNNEL)
                            .build())
                    .metrics(counting).accessLog(counting ? "keyvalue" : "off")
                    .build();
            if (mode.startsWith("tunnel-tomcat")) {
                TomcatProxyServer tomcat = TomcatProxyServer.start(proxy, mode.endsWith("-1k") ? 1024 : 0);
                server = () -> {
                    tomcat.close();
                    proxy.close();
                };
                port = tomcat.port();
            } else {
                JettyProxyServer jetty = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0));
                server = () -> {
                    jetty.close();
                    proxy.close();
                };
                port = jetty.httpPort();
            }
        } else {
            System.err.println("usage: BenchServer backend | backend-jetty | tunnel-jetty <backendPort>"
                    + " | message-jetty <backendPort> | tunnel-tomcat <backendPort> | tunnel-tomcat-1k <backendPort>"
                    + " | tunnel-jetty-nometrics <backendPort>");
            System.exit(2);
            return;
        }
        System.out.println("PORT " + port);
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line; (line = commands.readLine()) != null; ) {
            if (line.equals("STATS")) {
                System.out.println("STATS " + heapAfterGc() + " " + ProcStats.rssBytes(ProcessHandle.current()) + " "
                        + Thread.activeCount());
                System.out.flush();
            } else if (line.equals("JIT")) {
                System.out.println("JIT " + ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
                System.out.flush();
            } else if (line.equals("QUIT")) {
                break;
            }
        }
        server.close();
        System.exit(0);
    }

    /** Heap in use after full collections (a few, so that finalisation and reference queues settle). */
    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
