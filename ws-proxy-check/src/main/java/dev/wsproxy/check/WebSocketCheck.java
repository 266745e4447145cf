package dev.wsproxy.check;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * Diagnoses one WebSocket URL the way an operator would by hand, each step a {@link CheckReport.Step}: DNS, TCP
 * connect, TLS (handshake, certificate expiry, name, trust), the upgrade answer (status, headers, body, with the
 * usual cause of a refusal), {@code Sec-WebSocket-Accept}, the subprotocol, an echo round trip, a ping, an
 * optional idle period ({@link #idle(Duration)}, to catch a proxy that cuts idle connections, such as nginx's 60 s
 * {@code proxy_read_timeout}), and a close with code 1000. Works against any server: ws-proxy, nginx, a backend.
 *
 * <pre>{@code
 * CheckReport report = new WebSocketCheck(URI.create("wss://example.com/ws/echo")).idle(Duration.ofSeconds(75)).run();
 * System.out.print(report.toText());
 * }</pre>
 *
 * <p>Its client is a raw {@link Socket}/{@code SSLSocket}, so it sees the exact bytes a server sends. Configure,
 * then {@link #run()} once per instance; not thread-safe.
 */
public final class WebSocketCheck {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final URI uri;
    private Duration timeout = Duration.ofSeconds(10);
    private Duration idle = Duration.ZERO;
    private boolean echo = true;
    private final List<String> subprotocols = new ArrayList<>();
    private final List<String> headers = new ArrayList<>();

    /**
     * A check of {@code uri} ({@code ws://} or {@code wss://}; {@code http(s)://} is taken as the same).
     *
     * @throws IllegalArgumentException for another scheme or no host
     */
    public WebSocketCheck(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!List.of("ws", "wss", "http", "https").contains(scheme) || uri.getHost() == null) {
            throw new IllegalArgumentException("URL must be ws://host[:port]/path or wss://... but was '" + uri + "'");
        }
        this.uri = uri;
    }

    /** How long each network step may take; default 10 s. */
    public WebSocketCheck timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** Also stay idle this long (answering the server's pings), then check the connection still works; default off. */
    public WebSocketCheck idle(Duration idle) {
        this.idle = idle;
        return this;
    }

    /** Whether to expect the first message sent to come back (an echo endpoint); default {@code true}. */
    public WebSocketCheck echo(boolean echo) {
        this.echo = echo;
        return this;
    }

    /** Offers a subprotocol; the server must then choose one of those offered. */
    public WebSocketCheck subprotocol(String subprotocol) {
        subprotocols.add(subprotocol);
        return this;
    }

    /** Adds a request header line, e.g. {@code "Authorization: Bearer ..."} or {@code "Origin: https://app"}. */
    public WebSocketCheck header(String line) {
        headers.add(line);
        return this;
    }

    private boolean secure() {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("wss") || scheme.equals("https");
    }

    private int port() {
        return uri.getPort() > 0 ? uri.getPort() : secure() ? 443 : 80;
    }

    /** Runs the steps in order, stopping where the next step cannot run; never throws for network problems. */
    public CheckReport run() {
        CheckReport report = new CheckReport(uri.toString());
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        long started = System.nanoTime();
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
            report.pass("dns", host + " -> " + Arrays.stream(addresses).map(InetAddress::getHostAddress)
                    .collect(Collectors.joining(", ")), started);
        } catch (UnknownHostException e) {
            report.fail("dns", "'" + host + "' does not resolve", "check the host name for typos, and the DNS"
                    + " record (dig " + host + ")", started);
            return report;
        }
        started = System.nanoTime();
        Socket socket = new Socket();
        InetSocketAddress address = new InetSocketAddress(addresses[0], port());
        try {
            socket.connect(address, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            report.pass("tcp", "connected to " + address.getAddress().getHostAddress() + ":" + port(), started);
        } catch (IOException e) {
            closeQuietly(socket);
            boolean refused = e instanceof ConnectException;
            report.fail("tcp", (refused ? "connection refused by " : "no answer within " + timeout.toMillis()
                    + " ms from ") + address.getAddress().getHostAddress() + ":" + port(), refused
                    ? "nothing listens on port " + port() + ": start the server, or fix the port in the URL"
                    : "a firewall or security group drops the packets, or the host is down", started);
            return report;
        }
        try (RawConnection connection = new RawConnection(secure() ? tls(socket, host, report) : socket)) {
            upgradeAndTalk(connection, host, report);
        } catch (TlsFailed e) {
            closeQuietly(socket);
        } catch (IOException e) {
            report.fail("connection", "failed: " + e, "see the step before for the likely cause",
                    System.nanoTime());
        }
        return report;
    }

    /** Thrown after the TLS step reported its failure. */
    private static final class TlsFailed extends IOException {
        TlsFailed() {
            super("TLS failed");
        }
    }

    private Socket tls(Socket socket, String host, CheckReport report) throws IOException {
        long started = System.nanoTime();
        TlsInspection inspection = new TlsInspection();
        SSLSocket ssl;
        try {
            ssl = (SSLSocket) inspection.recordingContext().getSocketFactory()
                    .createSocket(socket, host, port(), true);
            javax.net.ssl.SSLParameters parameters = ssl.getSSLParameters();
            if (!Character.isDigit(host.charAt(0)) && host.indexOf(':') < 0) {
                parameters.setServerNames(List.of(new javax.net.ssl.SNIHostName(host)));
            }
            ssl.setSSLParameters(parameters);
            ssl.startHandshake();
            report.pass("tls", ssl.getSession().getProtocol() + " " + ssl.getSession().getCipherSuite(), started);
        } catch (SSLException e) {
            report.fail("tls", "handshake failed: " + e.getMessage(), "the port may not speak TLS (use ws://), or"
                    + " the server offers no protocol or cipher this JVM accepts", started);
            throw new TlsFailed();
        } catch (Exception e) {
            report.fail("tls", "handshake failed: " + e, "check the server's TLS configuration", started);
            throw new TlsFailed();
        }
        inspection.judge(report, host, started);
        if (!report.ok()) {
            throw new TlsFailed(); // a real client stops here
        }
        return ssl;
    }

    private void upgradeAndTalk(RawConnection connection, String host, CheckReport report) throws IOException {
        long started = System.nanoTime();
        String key = RawConnection.newKey();
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        boolean defaultPort = uri.getPort() < 0 || uri.getPort() == (secure() ? 443 : 80);
        StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(uri.getHost()).append(defaultPort ? "" : ":" + uri.getPort()).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\nUser-Agent: ws-proxy-check\r\n");
        if (!subprotocols.isEmpty()) {
            request.append("Sec-WebSocket-Protocol: ").append(String.join(", ", subprotocols)).append("\r\n");
        }
        headers.forEach(line -> request.append(line).append("\r\n"));
        connection.write(request.append("\r\n").toString());
        RawConnection.Response response;
        try {
            response = connection.readResponse();
        } catch (SocketTimeoutException e) {
            report.fail("upgrade", "no answer within " + timeout.toMillis() + " ms", "the server or a proxy in"
                    + " between holds the request (a backend that does not answer, a proxy waiting on it)", started);
            return;
        } catch (EOFException e) {
            report.fail("upgrade", e.getMessage(), "the server dropped the handshake: it may speak TLS on this port"
                    + " (use wss://), or refuse the client", started);
            return;
        }
        String answer = response.statusLine() + headerSummary(response)
                + (response.body().isEmpty() ? "" : " body: " + oneLine(response.body()));
        if (response.status() != 101) {
            report.fail("upgrade", answer, Advice.forStatus(response.status(), response), started);
            return;
        }
        report.pass("upgrade", answer, started);
        started = System.nanoTime();
        String upgrade = response.header("Upgrade");
        String connectionHeader = response.header("Connection");
        String accept = response.header("Sec-WebSocket-Accept");
        String expected = accept(key);
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket") || connectionHeader == null
                || !RawConnection.lower(connectionHeader).contains("upgrade")) {
            report.fail("accept", "101 with Upgrade: " + upgrade + ", Connection: " + connectionHeader,
                    "a proxy in between rewrote the answer's Upgrade/Connection headers", started);
            return;
        }
        if (!expected.equals(accept)) {
            report.fail("accept", "Sec-WebSocket-Accept was " + accept + " but " + expected + " was expected",
                    "something in between answered the handshake itself or altered Sec-WebSocket-Key/-Accept"
                    + " (a proxy must forward both unchanged, or answer for its own key)", started);
            return;
        }
        report.pass("accept", "Sec-WebSocket-Accept matches the key", started);
        String chosen = response.header("Sec-WebSocket-Protocol");
        if (!subprotocols.isEmpty() || chosen != null) {
            if (chosen == null) {
                report.fail("subprotocol", "none agreed (offered " + subprotocols + ")", "the server supports none"
                        + " of the offered subprotocols, or a proxy in between does not forward"
                        + " Sec-WebSocket-Protocol; browsers close such a connection", started);
            } else if (!subprotocols.contains(chosen)) {
                report.fail("subprotocol", "server chose '" + chosen + "', which was not offered",
                        "the server (or a proxy) must choose one of the client's offered subprotocols", started);
            } else {
                report.pass("subprotocol", "'" + chosen + "' agreed", started);
            }
        }
        talk(connection, report);
    }

    private void talk(RawConnection connection, CheckReport report) throws IOException {
        long started = System.nanoTime();
        if (echo) {
            String text = "ws-proxy-check " + Long.toHexString(System.nanoTime());
            connection.sendFrame(RawConnection.TEXT, text.getBytes(StandardCharsets.UTF_8));
            try {
                int others = 0; // greetings and broadcasts the endpoint sends on its own
                RawConnection.Frame frame;
                while ((frame = connection.readFrameAnsweringPings()).opcode() != RawConnection.CLOSE
                        && !(frame.opcode() == RawConnection.TEXT && frame.text().equals(text))) {
                    others += frame.opcode() == RawConnection.PONG ? 0 : 1;
                }
                if (frame.opcode() == RawConnection.CLOSE) {
                    report.fail("echo", "the server closed with " + frame.closeCode() + " " + frame.closeReason(),
                            "see the close reason; the endpoint may reject this message", started);
                    return;
                }
                report.pass("echo", "echoed in " + millis(started) + " ms"
                        + (others == 0 ? "" : " (after " + others + " other messages)"), started);
            } catch (SocketTimeoutException e) {
                report.fail("echo", "nothing came back within " + timeout.toMillis() + " ms", "if the endpoint is"
                        + " not an echo service, run with --no-echo; otherwise a proxy in between is not relaying",
                        started);
            }
        }
        if (!ping(connection, report, "ping", System.nanoTime(), null)) {
            return;
        }
        if (!idle.isZero() && !idle(connection, report)) {
            return;
        }
        started = System.nanoTime();
        connection.sendClose(1000, "ws-proxy-check done");
        try {
            RawConnection.Frame frame;
            do {
                frame = connection.readFrameAnsweringPings();
            } while (frame.opcode() != RawConnection.CLOSE);
            if (frame.closeCode() == 1000) {
                report.pass("close", "the server answered 1000", started);
            } else {
                report.fail("close", "the server answered " + frame.closeCode() + " " + frame.closeReason(),
                        "a proxy in between may remap close codes (Spring Cloud Gateway maps many to 1002)", started);
            }
        } catch (SocketTimeoutException | EOFException e) {
            report.fail("close", "no close frame came back (" + e.getClass().getSimpleName() + ")", "the server or a"
                    + " proxy drops connections instead of completing the close handshake", started);
        }
    }

    /** Pings and waits for the matching pong; {@code fix} replaces the usual advice (for the idle step). */
    private boolean ping(RawConnection connection, CheckReport report, String name, long started, String fix)
            throws IOException {
        byte[] payload = ("check-" + Long.toHexString(System.nanoTime())).getBytes(StandardCharsets.US_ASCII);
        long sent = System.nanoTime();
        connection.sendFrame(RawConnection.PING, payload);
        try {
            while (true) {
                RawConnection.Frame frame = connection.readFrameAnsweringPings();
                if (frame.opcode() == RawConnection.PONG && Arrays.equals(frame.payload(), payload)) {
                    String idled = idle.toMillis() % 1000 == 0 ? idle.toSeconds() + " s" : idle.toMillis() + " ms";
                    report.pass(name, (fix != null ? "still open after " + idled + " idle, " : "") + "pong in "
                            + millis(sent) + " ms", started);
                    return true;
                }
                if (frame.opcode() == RawConnection.CLOSE) {
                    report.fail(name, "the server closed with " + frame.closeCode() + " " + frame.closeReason()
                            + " instead of answering the ping", fix != null ? fix : "see the close reason", started);
                    return false;
                }
            }
        } catch (SocketTimeoutException e) {
            report.fail(name, "no pong within " + timeout.toMillis() + " ms", fix != null ? fix : "the server or a"
                    + " proxy in between does not answer pings (RFC 6455 requires it)", started);
            return false;
        } catch (EOFException | java.net.SocketException e) {
            report.fail(name, "the connection was closed" + (fix != null ? " after " + millis(started) / 1000.0
                    + " s idle" : ""), fix != null ? fix : "see the server's log", started);
            return false;
        }
    }

    /** Sends nothing for the idle period (answering the server's pings), then pings. */
    private boolean idle(RawConnection connection, CheckReport report) throws IOException {
        long started = System.nanoTime();
        long end = started + idle.toNanos();
        int originalTimeout = connection.socket.getSoTimeout();
        try {
            for (long left = idle.toNanos(); left > 0; left = end - System.nanoTime()) {
                connection.socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                try {
                    RawConnection.Frame frame = connection.readFrameAnsweringPings();
                    if (frame.opcode() == RawConnection.CLOSE) {
                        report.fail("idle", "the server closed with " + frame.closeCode() + " " + frame.closeReason()
                                + " after " + millis(started) / 1000.0 + " s idle", idleFix(), started);
                        return false;
                    }
                } catch (SocketTimeoutException quiet) {
                    // the idle period passed without a frame
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            report.fail("idle", "the connection was dropped after " + millis(started) / 1000.0 + " s idle", idleFix(),
                    started);
            return false;
        } finally {
            connection.socket.setSoTimeout(originalTimeout);
        }
        return ping(connection, report, "idle", started, idleFix());
    }

    private static String idleFix() {
        return "a proxy or load balancer cuts idle connections: raise its timeout (nginx proxy_read_timeout,"
                + " default 60 s; AWS ALB idle timeout, default 60 s) or have the server ping more often than that";
    }

    private static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String headerSummary(RawConnection.Response response) {
        StringBuilder out = new StringBuilder();
        for (String[] h : response.headers()) {
            if (h[0].toLowerCase(Locale.ROOT).startsWith("sec-websocket") || h[0].equalsIgnoreCase("Upgrade")
                    || h[0].equalsIgnoreCase("Connection") || h[0].equalsIgnoreCase("Server")
                    || h[0].equalsIgnoreCase("WWW-Authenticate") || h[0].equalsIgnoreCase("Location")) {
                out.append(out.length() == 0 ? " (" : ", ").append(h[0]).append(": ").append(h[1]);
            }
        }
        return out.length() == 0 ? "" : out.append(')').toString();
    }

    private static String oneLine(String body) {
        String line = body.replaceAll("\\s+", " ");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private static long millis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
