package dev.wsproxy.examples.bench;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import dev.wsproxy.jetty.JettyProxyServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child JVM the {@link Benchmark} starts for each server it measures, so that heap and RSS figures are
 * the server's own and not the load generator's.
 *
 * <pre>
 * java -cp ... dev.wsproxy.examples.bench.BenchServer backend
 * java -cp ... dev.wsproxy.examples.bench.BenchServer proxy &lt;backendPort&gt;
 * </pre>
 *
 * <p>Prints {@code PORT <n>} once listening on {@code 127.0.0.1}, then answers lines on stdin: {@code STATS}
 * (full GC, then {@code STATS <heapUsedBytes> <rssBytes> <threads>}) and {@code QUIT}. Exits when stdin closes,
 * so a child never outlives a harness that died.
 */
public final class BenchServer {

    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        AutoCloseable server;
        int port;
        if (args.length == 1 && args[0].equals("backend")) {
            CoreEchoBackend backend = CoreEchoBackend.start();
            server = backend;
            port = backend.port();
        } else if (args.length == 2 && args[0].equals("proxy")) {
            WebSocketProxy proxy = WebSocketProxy.builder()
                    .route(ProxyRoute.prefix("/").upstream("ws://127.0.0.1:" + Integer.parseInt(args[1]) + "/").build())
                    .build();
            JettyProxyServer jetty = JettyProxyServer.start(proxy, new InetSocketAddress("127.0.0.1", 0));
            server = () -> {
                jetty.close();
                proxy.close();
            };
            port = jetty.httpPort();
        } else {
            System.err.println("usage: BenchServer backend | BenchServer proxy <backendPort>");
            System.exit(2);
            return;
        }
        System.out.println("PORT " + port);
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line; (line = commands.readLine()) != null; ) {
            if (line.equals("STATS")) {
                System.out.println("STATS " + heapAfterGc() + " " + rssBytes() + " " + Thread.activeCount());
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

    /** Resident set size of this process from {@code /proc/self/status}; -1 where there is no procfs. */
    static long rssBytes() {
        return rssBytes(Path.of("/proc/self/status"));
    }

    static long rssBytes(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }
}
