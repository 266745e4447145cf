package dev.wsproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * WebSocket peers that misbehave on purpose, written on raw sockets: an upstream that completes the
 * handshake and then goes silent or drops the TCP connection, an upstream that never answers, and a
 * client that completes the handshake and then never reads. For dead-peer, abrupt-loss and deadline
 * tests. Thread-safe; closes every socket it made.
 */
public final class MisbehavingPeer implements AutoCloseable {

    /** What a raw upstream does after accepting a connection. */
    public enum Behaviour {
        /** Accept TCP, read the request, never answer. */
        NEVER_ANSWER,
        /** Answer 101, then never read or write again (a half-open peer). */
        SILENT_AFTER_101,
        /** Answer 101, then drop the TCP connection without a close frame. */
        DROP_AFTER_101
    }

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private MisbehavingPeer(Behaviour behaviour) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> acceptLoop(behaviour), "raw-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a raw upstream on 127.0.0.1, port 0. */
    public static MisbehavingPeer upstream(Behaviour behaviour) throws IOException {
        return new MisbehavingPeer(behaviour);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return sockets.size();
    }

    private void acceptLoop(Behaviour behaviour) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                String head = readHead(socket.getInputStream());
                if (behaviour == Behaviour.NEVER_ANSWER) {
                    continue;
                }
                socket.getOutputStream().write(switchingProtocols(head).getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                if (behaviour == Behaviour.DROP_AFTER_101) {
                    socket.setSoLinger(true, 0); // RST, not FIN: an abrupt loss
                    socket.close();
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    /**
     * Opens a client connection to {@code port} with a valid handshake for {@code path}, reads the 101, and
     * returns the socket without ever reading from it again (a client that stopped reading).
     */
    public static Socket clientThatNeverReads(int port, String path) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(20_000);
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        String head = readHead(socket.getInputStream());
        if (!head.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("expected 101 but got: " + head);
        }
        return socket;
    }

    static String switchingProtocols(String requestHead) {
        String key = null;
        for (String line : requestHead.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n";
    }

    static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            byte[] sofar = head.toByteArray();
            int n = sofar.length;
            if (n >= 4 && sofar[n - 4] == '\r' && sofar[n - 3] == '\n' && sofar[n - 2] == '\r' && sofar[n - 1] == '\n') {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
