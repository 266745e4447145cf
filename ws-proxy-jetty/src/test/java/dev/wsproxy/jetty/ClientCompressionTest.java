package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.ProxyRoute;
import dev.wsproxy.WebSocketProxy;
import java.net.URI;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * permessage-deflate on the client hop (message mode negotiates per hop; the upstream hop never compresses):
 * declined unless the route allows it; when allowed, compressed client traffic is relayed intact to and
 * from a plain upstream, with and without context takeover; offers with {@code server_max_window_bits},
 * which Jetty would accept without the echo RFC 7692 requires, are declined.
 */
class ClientCompressionTest {

    private static ProxyFixture fixture(boolean compression) throws Exception {
        return ProxyFixture.start(backend -> WebSocketProxy.builder()
                .route(ProxyRoute.prefix("/ws/").upstream(backend.uri("/")).clientCompression(compression)
                        .relayMode(ProxyRoute.RelayMode.MESSAGE).build())
                .build());
    }

    @Test
    void compressionIsDeclinedByDefault() throws Exception {
        try (ProxyFixture f = fixture(false); JettyWsClient client = JettyWsClient.start(false, null)) {
            client.connect(URI.create(f.uri("/ws/echo")), "permessage-deflate");
            assertEquals(List.of(), client.negotiatedExtensions());
            client.send("plain");
            assertEquals("plain", client.next());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"permessage-deflate",
        "permessage-deflate; client_no_context_takeover; server_no_context_takeover"})
    void compressedClientHopRelaysLargeMessagesIntactBothWays(String offer) throws Exception {
        try (ProxyFixture f = fixture(true); JettyWsClient client = JettyWsClient.start(false, null)) {
            client.connect(URI.create(f.uri("/ws/echo")), offer);
            assertTrue(client.negotiatedExtensions().toString().contains("permessage-deflate"),
                    client.negotiatedExtensions()::toString);
            for (int size : new int[] {10, 70_000, 3 * 1024 * 1024}) {
                String message = text(size);
                client.send(message);
                assertEquals(message, client.next(), "size " + size);
            }
        }
    }

    @Test
    void offerWithServerMaxWindowBitsIsDeclinedAndTheNextOfferTaken() throws Exception {
        try (ProxyFixture f = fixture(true); JettyWsClient client = JettyWsClient.start(false, null)) {
            client.connect(URI.create(f.uri("/ws/echo")), "permessage-deflate; server_max_window_bits=10",
                    "permessage-deflate");
            List<String> negotiated = client.negotiatedExtensions();
            assertEquals(1, negotiated.size(), negotiated::toString);
            assertTrue(!negotiated.get(0).contains("server_max_window_bits"), negotiated::toString);
            client.send("still works");
            assertEquals("still works", client.next());
        }
    }

    /** Compressible but not trivial text. */
    private static String text(int length) {
        Random random = new Random(length);
        String[] words = {"alpha ", "beta ", "gamma ", "delta ", "épsilon ", "ζeta "};
        StringBuilder text = new StringBuilder(length + 8);
        while (text.length() < length) {
            text.append(words[random.nextInt(words.length)]);
        }
        return text.substring(0, length);
    }
}
