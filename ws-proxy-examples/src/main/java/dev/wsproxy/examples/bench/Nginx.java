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
 * nginx in front of the backend, configured as users run it for WebSockets ({@code proxy_http_version 1.1},
 * {@code Upgrade}/{@code Connection} headers, {@code proxy_read_timeout 3600s}, {@code proxy_buffering off}),
 * on {@code 127.0.0.1} only, with its configuration, logs and PID file in a temp folder; started in the
 * foreground ({@code daemon off}) so the process we hold is the master, and stopped by its PID.
 */
final class Nginx implements AutoCloseable {

    private final Process master;
    private final Path folder;
    private final int port;

    private Nginx(Process master, Path folder, int port) {
        this.master = master;
        this.folder = folder;
        this.port = port;
    }

    /** The nginx binary: {@code explicit} if given, else the first on the PATH, else {@code /usr/sbin/nginx}. */
    static Optional<Path> find(String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "");
        Stream<Path> candidates = Stream.concat(
                Stream.of(path.split(java.io.File.pathSeparator)).filter(d -> !d.isEmpty()).map(d -> Path.of(d, "nginx")),
                Stream.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/local/nginx/sbin/nginx")));
        return candidates.filter(Files::isExecutable).findFirst();
    }

    static Nginx start(Path binary, int backendPort, int maxOpenFiles) throws Exception {
        Path folder = Files.createTempDirectory("ws-proxy-bench-nginx-");
        int port = freePort();
        Files.writeString(folder.resolve("nginx.conf"), config(folder, port, backendPort, maxOpenFiles));
        Process master = new ProcessBuilder(binary.toString(), "-p", folder.toString(),
                "-c", folder.resolve("nginx.conf").toString(), "-e", folder.resolve("error.log").toString())
                .redirectErrorStream(true).redirectOutput(folder.resolve("stdout.log").toFile()).start();
        Nginx nginx = new Nginx(master, folder, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!accepts(port)) {
            if (!master.isAlive() || System.nanoTime() > deadline) {
                String errors = Files.exists(folder.resolve("error.log"))
                        ? Files.readString(folder.resolve("error.log")) : "";
                nginx.close();
                throw new IllegalStateException("nginx did not start on 127.0.0.1:" + port + ": " + errors.strip());
            }
            Thread.sleep(50);
        }
        return nginx;
    }

    static String config(Path folder, int port, int backendPort, int maxOpenFiles) {
        String f = folder.toString();
        return String.join("\n",
                "daemon off;",
                "worker_processes auto;",
                "worker_rlimit_nofile " + maxOpenFiles + ";",
                "pid " + f + "/nginx.pid;",
                "error_log " + f + "/error.log warn;",
                "events { worker_connections " + maxOpenFiles + "; }",
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

    int port() {
        return port;
    }

    long pid() {
        return master.pid();
    }

    /** RSS of the master and its workers. */
    long rssBytes() {
        List<ProcessHandle> all = Stream.concat(Stream.of(master.toHandle()), master.descendants()).toList();
        long sum = 0;
        for (ProcessHandle p : all) {
            long rss = BenchServer.rssBytes(Path.of("/proc/" + p.pid() + "/status"));
            sum += Math.max(0, rss);
        }
        return sum;
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

    /** SIGTERM to the master (nginx's fast shutdown), then its temp folder is removed. */
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
}
