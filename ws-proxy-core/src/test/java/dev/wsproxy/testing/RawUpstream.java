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
    /** Bytes each connection sent after its request head, recorded when {@code recordAfterHead}. */
    private final ByteArrayOutputStream afterHead = new ByteArrayOutputStream();
    private final boolean recordAfterHead;

    private RawUpstream(Function<String, String> answer) throws IOException {
        this(answer, false);
    }

    private RawUpstream(Function<String, String> answer, boolean recordAfterHead) throws IOException {
        this.answer = answer;
        this.recordAfterHead = recordAfterHead;
        // a deep backlog: the accept loop reads each head before the next accept, so a burst of connects (2,000
        // in TunnelIsolationTest) overflows the JDK's default of 50, and the kernel then drops the proxy's
        // handshake ACKs, which come back only after retransmits of 1, 2, 4, 8 s...
        serverSocket = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
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

    /**
     * Answers a valid 101 with these extra header lines, then sends {@code afterHandshake} (ISO-8859-1: one char
     * per byte, e.g. a masked frame or garbage) and records whatever the proxy sends back ({@link #received()}).
     */
    public static RawUpstream switchingThen(String afterHandshake, String... extraHeaderLines) throws IOException {
        RawUpstream switching = switchingWith(extraHeaderLines);
        return new RawUpstream(head -> switching.answer.apply(head) + afterHandshake, true);
    }

    /** What connections sent after their request head so far (only for {@link #switchingThen}). */
    public byte[] received() {
        synchronized (afterHead) {
            return afterHead.toByteArray();
        }
    }

    /** A masked text frame holding {@code text} (up to 125 bytes), as ISO-8859-1 chars: what no server may send. */
    public static String maskedTextFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        StringBuilder frame = new StringBuilder().append((char) 0x81).append((char) (0x80 | payload.length));
        for (byte b : mask) {
            frame.append((char) (b & 0xff));
        }
        for (int i = 0; i < payload.length; i++) {
            frame.append((char) ((payload[i] ^ mask[i % 4]) & 0xff));
        }
        return frame.toString();
    }

    /** The status code of the first close frame in {@code frames} (masked or not), or -1 when there is none. */
    public static int firstCloseCode(byte[] frames) {
        int i = 0;
        while (i + 2 <= frames.length) {
            int opcode = frames[i] & 0x0f;
            boolean masked = (frames[i + 1] & 0x80) != 0;
            int length = frames[i + 1] & 0x7f;
            int header = 2;
            if (length == 126) {
                length = ((frames[i + 2] & 0xff) << 8) | (frames[i + 3] & 0xff);
                header = 4;
            } else if (length == 127) {
                return -1; // not a close frame; this helper reads small frames only
            }
            int payload = i + header + (masked ? 4 : 0);
            if (payload + length > frames.length) {
                return -1;
            }
            if (opcode == 8 && length >= 2) {
                int b0 = frames[payload] & 0xff;
                int b1 = frames[payload + 1] & 0xff;
                if (masked) {
                    b0 ^= frames[i + header] & 0xff;
                    b1 ^= frames[i + header + 1] & 0xff;
                }
                return (b0 << 8) | b1;
            }
            i = payload + length;
        }
        return -1;
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
                if (recordAfterHead) {
                    Thread recorder = new Thread(() -> record(socket), "raw-upstream-recorder");
                    recorder.setDaemon(true);
                    recorder.start();
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

    private void record(Socket socket) {
        byte[] buffer = new byte[1024];
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) != -1; ) {
                synchronized (afterHead) {
                    afterHead.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // closed: what arrived is recorded
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
