package dev.wsproxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.Arrays;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Creating the Tyrus upstream client routes Tyrus's java.util.logging into SLF4J, touching nothing else. */
class TyrusLoggingTest {

    @Test
    void tyrusJulLoggerForwardsToSlf4jInsteadOfTheConsole() {
        new TyrusUpstreamClient(Duration.ofSeconds(1)).close();
        Logger tyrus = Logger.getLogger("org.glassfish.tyrus");
        assertFalse(tyrus.getUseParentHandlers(), "Tyrus records must not reach the root console handler");
        assertEquals(1, Arrays.stream(tyrus.getHandlers())
                .filter(h -> h.getClass().getName().startsWith(TyrusLogging.class.getName())).count());
    }
}
