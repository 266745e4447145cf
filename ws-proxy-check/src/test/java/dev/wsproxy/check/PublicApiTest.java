package dev.wsproxy.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.testing.ApiSurface;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** This module's public API ({@code dev.wsproxy.check}) names no {@code .internal} type in any public signature. */
class PublicApiTest {

    @Test
    void publicTypesExposeNoInternalTypes() {
        Set<String> leaks = ApiSurface.internalTypesInPublicSignatures(WebSocketCheck.class);
        assertEquals(Set.of(), leaks, () -> "internal types in public signatures:\n" + String.join("\n", leaks));
    }

    @Test
    void theScanSeesThePublicApi() {
        assertTrue(ApiSurface.publicApiTypes(WebSocketCheck.class).contains(WebSocketCheck.class));
    }
}
