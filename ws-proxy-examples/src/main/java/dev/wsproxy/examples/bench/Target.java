package dev.wsproxy.examples.bench;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One thing the benchmark measures: the backend directly, a ws-proxy JVM ({@link BenchServer}) or an external
 * proxy ({@link ExternalProxy}), in front of the same backend. Knows how to (re)start it, where its clients
 * connect, and how to read its CPU time and memory. Not thread-safe: the harness's main thread drives it.
 */
final class Target implements AutoCloseable {

    static final String DIRECT = "direct";
    static final String TUNNEL_JETTY = "tunnel-jetty";
    static final String TUNNEL_TOMCAT = "tunnel-tomcat";
    static final String MESSAGE_JETTY = "message-jetty";
    /** {@link #TUNNEL_JETTY} built with {@code metrics(false)} and {@code accessLog("off")}: the cost of counting. */
    static final String TUNNEL_JETTY_NO_METRICS = "tunnel-jetty-nometrics";
    /**
     * {@link #TUNNEL_TOMCAT} with Tomcat's per-connection socket buffers at 1 KiB ({@code socket.appReadBufSize},
     * {@code socket.appWriteBufSize}; 8 KiB each by default): what a Tomcat that mostly proxies can set.
     */
    static final String TUNNEL_TOMCAT_1K = "tunnel-tomcat-1k";
    static final String NGINX = "nginx";
    static final String HAPROXY = "haproxy";
    /** What runs without {@code --targets}. */
    static final List<String> DEFAULT = List.of(DIRECT, TUNNEL_JETTY, TUNNEL_TOMCAT, MESSAGE_JETTY, NGINX, HAPROXY);
    /** What {@code --targets} accepts. */
    static final List<String> ALL = List.of(DIRECT, TUNNEL_JETTY, TUNNEL_TOMCAT, MESSAGE_JETTY, NGINX, HAPROXY,
            TUNNEL_JETTY_NO_METRICS, TUNNEL_TOMCAT_1K);

    /** Heap after GC, RSS and threads of a proxy; heap is -1 for a non-Java proxy. */
    static final class Memory {
        final long heapBytes;
        final long rssBytes;

        Memory(long heapBytes, long rssBytes) {
            this.heapBytes = heapBytes;
            this.rssBytes = rssBytes;
        }
    }

    final String name;
    private final BenchOptions options;
    private final int backendPort;
    private final String classpath;
    private final ExternalProxy.Kind externalKind;
    private final Path externalBinary;
    private final int maxConnections;
    private ServerProcess java;
    private ExternalProxy external;
    private URI uri;

    private Target(String name, BenchOptions options, int backendPort, String classpath,
                   ExternalProxy.Kind externalKind, Path externalBinary, int maxConnections) {
        this.name = name;
        this.options = options;
        this.backendPort = backendPort;
        this.classpath = classpath;
        this.externalKind = externalKind;
        this.externalBinary = externalBinary;
        this.maxConnections = maxConnections;
    }

    static Target direct(int backendPort) {
        Target t = new Target(DIRECT, null, backendPort, null, null, null, 0);
        t.uri = URI.create("ws://127.0.0.1:" + backendPort + "/echo");
        return t;
    }

    static Target java(String name, BenchOptions options, int backendPort, String classpath) throws Exception {
        Target t = new Target(name, options, backendPort, classpath, null, null, 0);
        t.start();
        return t;
    }

    static Target external(String name, ExternalProxy.Kind kind, Path binary, int backendPort, int maxConnections)
            throws Exception {
        Target t = new Target(name, null, backendPort, null, kind, binary, maxConnections);
        t.start();
        return t;
    }

    private void start() throws Exception {
        if (externalKind != null) {
            external = ExternalProxy.start(externalKind, externalBinary, backendPort, maxConnections);
            uri = URI.create("ws://127.0.0.1:" + external.port() + "/echo");
        } else {
            java = ServerProcess.startWithClasspath(name, options.proxyJvmOptions, classpath, name,
                    String.valueOf(backendPort));
            uri = URI.create("ws://127.0.0.1:" + java.port() + "/echo");
        }
    }

    /** A fresh process (a process keeps memory it once used, so each memory measurement starts anew). */
    void restart() throws Exception {
        if (isProxy()) {
            close();
            start();
        }
    }

    URI uri() {
        return uri;
    }

    boolean isProxy() {
        return java != null || external != null;
    }

    boolean isJava() {
        return java != null;
    }

    long pid() {
        return java != null ? java.pid() : external != null ? external.pid() : -1;
    }

    /** CPU time of the proxy's processes so far (ns), or -1 for the direct target or without procfs. */
    long cpuNanos() {
        return java != null ? ProcStats.cpuNanos(java.handle())
                : external != null ? ProcStats.cpuNanos(external.handle()) : -1;
    }

    /** Kernel part of {@link #cpuNanos()}, or -1. */
    long systemNanos() {
        return java != null ? ProcStats.systemNanos(java.handle())
                : external != null ? ProcStats.systemNanos(external.handle()) : -1;
    }

    /** Memory now; a Java proxy first runs full collections. Null for the direct target. */
    Memory memory() throws Exception {
        if (java != null) {
            ServerProcess.Stats s = java.stats();
            return new Memory(s.heapBytes, s.rssBytes);
        }
        if (external != null) {
            return new Memory(-1, ProcStats.rssBytes(external.handle()));
        }
        return null;
    }

    /** The JIT's total compile time so far (ms) for a Java proxy; -1 for the others. */
    long compileMillis() throws Exception {
        return java != null ? java.compileMillis() : -1;
    }

    /** {@code jcmd <pid> <command...>} for a Java proxy (e.g. JFR.start); its output is returned. */
    String jcmd(String... command) throws Exception {
        List<String> line = new ArrayList<>();
        line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        line.add(String.valueOf(java.pid()));
        line.addAll(List.of(command));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out.strip();
    }

    String describe() {
        if (java != null) {
            return name + ": pid " + java.pid() + ", " + uri + ", log " + java.log();
        }
        return name + ": " + (external != null ? external + ", binary " + externalBinary : uri);
    }

    @Override
    public void close() throws Exception {
        if (java != null) {
            java.close();
            java = null;
        }
        if (external != null) {
            external.close();
            external = null;
        }
    }

    /**
     * The harness's classpath with Tomcat 11's jars from {@code tomcatJars} first and every other Tomcat jar
     * (Spring Boot's 10.1) left out, or null when that folder holds no {@code tomcat-embed-core} jar.
     */
    static String tomcatClasspath(Path tomcatJars) throws Exception {
        if (!Files.isDirectory(tomcatJars)) {
            return null;
        }
        List<String> jars;
        try (Stream<Path> files = Files.list(tomcatJars)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted()
                    .collect(Collectors.toList());
        }
        if (jars.stream().noneMatch(j -> j.contains("tomcat-embed-core"))) {
            return null;
        }
        Stream<String> rest = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("tomcat-embed-") && !e.contains("tomcat-annotations-api"));
        return Stream.concat(jars.stream(), rest).collect(Collectors.joining(File.pathSeparator));
    }

    /** Where the build copies Tomcat 11's jars: {@code target/bench-tomcat11} beside {@code target/classes}. */
    static Path defaultTomcatJars() {
        try {
            Path classes = Path.of(Target.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.getParent().resolve("bench-tomcat11");
        } catch (Exception e) {
            return Path.of("ws-proxy-examples", "target", "bench-tomcat11");
        }
    }
}
