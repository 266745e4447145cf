package dev.wsproxy.check;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * Misbehaving servers on a raw {@link ServerSocket} ({@code 127.0.0.1}, port 0), each connection on a daemon
 * thread: {@link #answering} writes a fixed HTTP answer to any request; {@link #droppingIdleAfter} is a correct
 * echo endpoint (101, echoes text, answers pings and closes) that drops a connection quiet for that long.
 */
final class RawServer implements AutoCloseable {

    private final ServerSocket server;

    private RawServer(ServerSocket server, Handler handler) {
        this.server = server;
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread t = new Thread(() -> {
                        try (socket) {
                            handler.handle(socket);
                        } catch (IOException | RuntimeException e) {
                            // the connection ends
                        }
                    }, "raw-server-connection");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "raw-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private interface Handler {
        void handle(Socket socket) throws IOException;
    }

    static RawServer answering(String response) throws IOException {
        return new RawServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), socket -> {
            readHead(new DataInputStream(socket.getInputStream()));
            socket.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        });
    }

    static RawServer droppingIdleAfter(Duration idle) throws IOException {
        return new RawServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), socket -> {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String head = readHead(in);
            String key = null;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                    key = line.substring(line.indexOf(':') + 1).trim();
                }
            }
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.setSoTimeout((int) idle.toMillis());
            try {
                while (true) {
                    int b0 = in.readUnsignedByte();
                    int b1 = in.readUnsignedByte();
                    int length = b1 & 0x7F; // the check sends small frames only
                    byte[] mask = new byte[4];
                    in.readFully(mask);
                    byte[] payload = new byte[length];
                    in.readFully(payload);
                    for (int i = 0; i < length; i++) {
                        payload[i] ^= mask[i & 3];
                    }
                    int opcode = b0 & 0x0F;
                    int answer = opcode == 0x9 ? 0xA : opcode == 0x1 || opcode == 0x8 ? opcode : -1;
                    if (answer >= 0) {
                        ByteArrayOutputStream frame = new ByteArrayOutputStream();
                        frame.write(0x80 | answer);
                        frame.write(length);
                        frame.write(payload, 0, length);
                        out.write(frame.toByteArray());
                        out.flush();
                    }
                    if (opcode == 0x8) {
                        return;
                    }
                }
            } catch (SocketTimeoutException idleTooLong) {
                // drop the connection without a close frame, as a proxy's idle timeout does
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    private static String readHead(DataInputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0D0A0D0A) {
            int b = in.readUnsignedByte();
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String accept(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
