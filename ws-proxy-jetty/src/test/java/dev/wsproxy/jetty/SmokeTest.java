package dev.wsproxy.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wsproxy.testing.TestClient;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void textIsEchoedThroughTheProxy() throws Exception {
        try (ProxyFixture f = ProxyFixture.start(); TestClient client = TestClient.connect(f.uri("/ws/echo"))) {
            client.sendText("hi");
            assertEquals("hi", client.next().asText());
            assertEquals("/echo", f.backend.takeHandshake().path);
        }
    }
}
