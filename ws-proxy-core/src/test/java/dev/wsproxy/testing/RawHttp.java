package dev.wsproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sends a hand-written HTTP request over a raw socket and reads the response head and body: for
 * malformed handshakes no real client would send. Stateless.
 */
public final class RawHttp {

    /** A parsed response: status, headers (case-insensitive), body text. */
    public static final class Response {
        public final int status;
        public final String statusLine;
        public final Map<String, String> headers;
        public final String body;

        Response(String statusLine, Map<String, String> headers, String body) {
            this.statusLine = statusLine;
            this.status = Integer.parseInt(statusLine.split(" ")[1]);
            this.headers = headers;
            this.body = body;
        }

        public String header(String name) {
            return headers.get(name);
        }

        @Override
        public String toString() {
            return statusLine + " " + headers + " " + body;
        }
    }

    private RawHttp() {
    }

    /**
     * Sends {@code request} (lines joined with CRLF, blank line appended) and reads the response. For a 101
     * the body is not read.
     */
    public static Response exchange(int port, String... requestLines) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write((String.join("\r\n", requestLines) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.merge(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim(),
                            (a, b) -> a + ", " + b);
                }
            }
            String body = "";
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            if (status != 101) {
                String length = headers.get("Content-Length");
                if (length != null) {
                    body = new String(in.readNBytes(Integer.parseInt(length.trim())), StandardCharsets.UTF_8);
                } else if (!"chunked".equals(String.valueOf(headers.get("Transfer-Encoding")).toLowerCase(Locale.ROOT))) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return new Response(lines[0], headers, body);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                break;
            }
        }
        String s = head.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r\n\r\n") ? s.substring(0, s.length() - 4) : s;
    }
}
