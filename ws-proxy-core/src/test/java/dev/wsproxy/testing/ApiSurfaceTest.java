package dev.wsproxy.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.internal.Durations;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link ApiSurface} finds what it is meant to find (so the API tests that use it can fail). */
public class ApiSurfaceTest {

    /** A deliberately leaky public type. */
    public static class Leaky {
        public Durations returned() {
            return null;
        }

        public void taken(List<? extends Durations> durations) {
        }

        public Durations field;
    }

    @Test
    void findsInternalTypesInReturnsParametersTypeArgumentsAndFields() {
        Set<String> leaks = ApiSurface.internalTypesInPublicSignatures(ApiSurfaceTest.class);
        String leaky = Leaky.class.getName();
        for (String expected : List.of(leaky + "#returned(...) exposes " + Durations.class.getName(),
                leaky + "#taken(...) exposes " + Durations.class.getName(),
                leaky + "#field exposes " + Durations.class.getName())) {
            assertTrue(leaks.contains(expected), () -> expected + " not in " + leaks);
        }
    }
}
