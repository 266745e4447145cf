package dev.wsproxy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DemoMainTest {

    private static final String[] NO_ARGS = {};

    @Test
    void portDefaultsTo8080() {
        assertEquals(8080, DemoMain.port(NO_ARGS, null));
    }

    @Test
    void portComesFromTheSystemProperty() {
        assertEquals(9090, DemoMain.port(NO_ARGS, "9090"));
    }

    @Test
    void firstArgumentWinsOverTheSystemProperty() {
        assertEquals(7070, DemoMain.port(new String[] {"7070"}, "9090"));
    }

    @Test
    void badPortNamesTheValueAndTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DemoMain.port(NO_ARGS, "80800"));
        assertTrue(e.getMessage().contains("'80800'") && e.getMessage().contains("-Dport="), e.getMessage());
    }

    @Test
    void portInUseMessageSaysHowToChooseAnotherPort() {
        String message = DemoMain.portInUse(8080);
        assertTrue(message.startsWith("Port 8080 is already in use."), message);
        assertTrue(message.contains("exec:java -Dport=9090"), message);
    }
}
