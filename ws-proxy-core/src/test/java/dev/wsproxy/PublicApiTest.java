package dev.wsproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.ApiSurface;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The promise of the package layout: {@code dev.wsproxy} is the API, {@code dev.wsproxy.internal} is not, so no
 * public signature in the API may name an internal type.
 */
class PublicApiTest {

    @Test
    void publicTypesExposeNoInternalTypes() {
        Set<String> leaks = ApiSurface.internalTypesInPublicSignatures(WebSocketProxy.class);
        assertEquals(Set.of(), leaks, () -> "internal types in public signatures:\n" + String.join("\n", leaks));
    }

    @Test
    void theScanSeesThePublicApi() {
        // guards the test above against scanning nothing
        assertTrue(ApiSurface.publicApiTypes(WebSocketProxy.class).contains(ProxyRoute.Builder.class));
    }
}
