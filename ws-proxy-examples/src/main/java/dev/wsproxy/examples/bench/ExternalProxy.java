package dev.wsproxy.examples.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * nginx or HAProxy in front of the backend, configured as users run them for WebSockets, on {@code 127.0.0.1}
 * only, with configuration, logs and PID file in a temp folder; started in the foreground so the process held
 * here is the master (nginx {@code daemon off}, HAProxy {@code -db}), stopped by its PID (SIGTERM), then the
 * folder is removed. CPU and RSS are those of the master and its workers.
 *
 * <ul>
 *   <li>nginx: {@code proxy_http_version 1.1}, {@code Upgrade}/{@code Connection} headers,
 *       {@code proxy_read_timeout}/{@code proxy_send_timeout 3600s}, {@code proxy_buffering off},
 *       {@code worker_processes auto}.</li>
 *   <li>HAProxy: {@code mode http} (it switches to a tunnel on the 101), {@code timeout tunnel 3600s},
 *       {@code maxconn} from the open-files limit, threads = CPUs (its default).</li>
 * </ul>
 *
 * <p>Not thread-safe: the harness's main thread drives it.
 */
final class ExternalProxy implements AutoCloseable {

    /** Which proxy: its binary's name and its configuration. */
    enum Kind {
        NGINX("nginx"),
        HAPROXY("haproxy");

        final String binary;

        Kind(String binary) {
            this.binary = binary;
        }
    }

    private final Kind kind;
    private final Process master;
    private final Path folder;
    private final int port;

    private ExternalProxy(Kind kind, Process master, Path folder, int port) {
        this.kind = kind;
        this.master = master;
        this.folder = folder;
        this.port = port;
    }

    /** The binary: {@code explicit} if given, else the first on the PATH, else in {@code /usr/sbin}. */
    static Optional<Path> find(Kind kind, String explicit) {
        if (explicit != null && !explicit.isEmpty()) {
            Path p = Path.of(explicit);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "");
        Stream<Path> candidates = Stream.concat(
                Stream.of(path.split(java.io.File.pathSeparator)).filter(d -> !d.isEmpty())
                        .map(d -> Path.of(d, kind.binary)),
                Stream.of(Path.of("/usr/sbin", kind.binary), Path.of("/usr/local/sbin", kind.binary)));
        return candidates.filter(Files::isExecutable).findFirst();
    }

    static ExternalProxy start(Kind kind, Path binary, int backendPort, int maxConnections) throws Exception {
        Path folder = Files.createTempDirectory("ws-proxy-bench-" + kind.binary + "-");
        int port = freePort();
        Path config = folder.resolve(kind.binary + ".conf");
        List<String> command;
        if (kind == Kind.NGINX) {
            Files.writeString(config, nginxConfig(folder, port, backendPort, maxConnections));
            command = List.of(binary.toString(), "-p", folder.toString(), "-c", config.toString(),
                    "-e", folder.resolve("error.log").toString());
        } else {
            Files.writeString(config, haproxyConfig(port, backendPort, maxConnections));
            command = List.of(binary.toString(), "-db", "-f", config.toString());
        }
        Process master = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(folder.resolve("stdout.log").toFile()).start();
        ExternalProxy proxy = new ExternalProxy(kind, master, folder, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!accepts(port)) {
            if (!master.isAlive() || System.nanoTime() > deadline) {
                String errors = proxy.logs();
                proxy.close();
                throw new IllegalStateException(kind.binary + " did not start on 127.0.0.1:" + port + ": "
                        + errors.strip());
            }
            Thread.sleep(50);
        }
        return proxy;
    }

    static String nginxConfig(Path folder, int port, int backendPort, int maxConnections) {
        String f = folder.toString();
        return String.join("\n",
                "daemon off;",
                "worker_processes auto;",
                "worker_rlimit_nofile " + (2 * maxConnections + 100) + ";",
                "pid " + f + "/nginx.pid;",
                "error_log " + f + "/error.log warn;",
                "events { worker_connections " + (2 * maxConnections + 100) + "; }",
                "http {",
                "  access_log off;",
                "  client_body_temp_path " + f + "/body;",
                "  proxy_temp_path " + f + "/proxy;",
                "  fastcgi_temp_path " + f + "/fastcgi;",
                "  uwsgi_temp_path " + f + "/uwsgi;",
                "  scgi_temp_path " + f + "/scgi;",
                "  server {",
                "    listen 127.0.0.1:" + port + " backlog=4096;",
                "    location / {",
                "      proxy_pass http://127.0.0.1:" + backendPort + ";",
                "      proxy_http_version 1.1;",
                "      proxy_set_header Upgrade $http_upgrade;",
                "      proxy_set_header Connection \"upgrade\";",
                "      proxy_set_header Host $host;",
                "      proxy_read_timeout 3600s;",
                "      proxy_send_timeout 3600s;",
                "      proxy_buffering off;",
                "    }",
                "  }",
                "}",
                "");
    }

    static String haproxyConfig(int port, int backendPort, int maxConnections) {
        return String.join("\n",
                "global",
                "  maxconn " + maxConnections,
                "defaults",
                "  mode http",
                "  maxconn " + maxConnections,
                "  timeout connect 10s",
                "  timeout client 60s",
                "  timeout server 60s",
                "  timeout http-request 10s",
                "  timeout tunnel 3600s",
                "frontend websocket",
                "  bind 127.0.0.1:" + port + " backlog 4096",
                "  default_backend echo",
                "backend echo",
                "  server echo 127.0.0.1:" + backendPort,
                "");
    }

    int port() {
        return port;
    }

    long pid() {
        return master.pid();
    }

    ProcessHandle handle() {
        return master.toHandle();
    }

    private String logs() {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("stdout.log", "error.log")) {
            try {
                Path p = folder.resolve(name);
                if (Files.exists(p)) {
                    out.append(Files.readString(p));
                }
            } catch (IOException e) {
                // best effort
            }
        }
        return out.toString();
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** SIGTERM to the master (a fast shutdown for both), then its temp folder is removed. */
    @Override
    public void close() throws Exception {
        master.destroy();
        if (!master.waitFor(10, TimeUnit.SECONDS)) {
            master.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Override
    public String toString() {
        return kind.binary + " (pid " + pid() + ", port " + port + ")";
    }
}
