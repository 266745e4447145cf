package dev.wsproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A misbehaving upstream on a raw {@link ServerSocket} ({@code 127.0.0.1}, port 0): it reads each request
 * head and answers with whatever {@code answer} returns for it, or never answers when that is
 * {@code null} (the connection is held open until {@link #close()}). Thread-safe.
 */
public final class RawUpstream implements AutoCloseable {

    private final ServerSocket serverSocket;
    private final Function<String, String> answer;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    private RawUpstream(Function<String, String> answer) throws IOException {
        this.answer = answer;
        serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "raw-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Accepts TCP connections and never answers. */
    public static RawUpstream silent() throws IOException {
        return new RawUpstream(head -> null);
    }

    /** Answers every request with exactly these bytes (ISO-8859-1), then closes. */
    public static RawUpstream answering(String response) throws IOException {
        return new RawUpstream(head -> response);
    }

    /** Answers a valid 101 (correct {@code Sec-WebSocket-Accept}) with these extra header lines. */
    public static RawUpstream switchingWith(String... extraHeaderLines) throws IOException {
        return new RawUpstream(head -> {
            StringBuilder response = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Accept: ").append(accept(header(head, "Sec-WebSocket-Key"))).append("\r\n");
            for (String line : extraHeaderLines) {
                response.append(line).append("\r\n");
            }
            return response.append("\r\n").toString();
        });
    }

    /** What a {@link #scripted} upstream does with each connection after its 101, on its own thread. */
    public interface Script {
        void run(RawServerSide connection) throws Exception;
    }

    /**
     * Answers a valid 101, then runs {@code script} on the connection on a new thread (so further connections
     * are accepted meanwhile). The socket is closed when the script returns or throws.
     */
    public static RawUpstream scripted(Script script) throws IOException {
        RawUpstream upstream = switchingWith();
        upstream.script = script;
        return upstream;
    }

    private volatile Script script;

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** {@code ws://127.0.0.1:port} + path. */
    public String uri(String path) {
        return "ws://127.0.0.1:" + port() + path;
    }

    /** TCP connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                accepted.incrementAndGet();
                held.add(socket);
                String head = readHead(socket.getInputStream());
                String response = answer.apply(head);
                if (response != null) {
                    socket.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().flush();
                }
                Script toRun = script;
                if (toRun != null) {
                    RawServerSide connection = new RawServerSide(socket);
                    Thread runner = new Thread(() -> {
                        try (Socket s = socket) {
                            toRun.run(connection);
                        } catch (Exception e) {
                            // the script's peer went away or the script ended the connection itself
                        }
                    }, "raw-upstream-script");
                    runner.setDaemon(true);
                    runner.start();
                }
            } catch (IOException e) {
                // closed or the peer went away: keep serving the next connection
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            if (head.size() >= 4 && head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT)
                    .equals(name.toLowerCase(Locale.ROOT))) {
                return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    /** RFC 6455 section 4.2.2: base64(SHA-1(key + GUID)). */
    public static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (Socket socket : held) {
            socket.close();
        }
    }
}
