package dev.wsproxy.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** How the access log writes values: one line each, parseable, in both formats. */
class AccessLogFormatTest {

    private static String kv(Object... keysAndValues) {
        return new AccessLog(AccessLog.Format.KEYVALUE).render(Arrays.asList(keysAndValues));
    }

    private static String json(Object... keysAndValues) {
        return new AccessLog(AccessLog.Format.JSON).render(Arrays.asList(keysAndValues));
    }

    @Test
    void plainValuesAreWrittenAsTheyAre() {
        assertEquals("path=/ws/chat status=502", kv("path", "/ws/chat", "status", 502L));
    }

    @Test
    void missingAndEmptyValuesAreADash() {
        assertEquals("subprotocol=- reason=-", kv("subprotocol", null, "reason", ""));
    }

    @Test
    void aValueThatIsADashIsQuotedSoItDiffersFromNone() {
        assertEquals("reason=\"-\"", kv("reason", "-"));
    }

    @Test
    void spacesQuotesEqualsAndBackslashesAreQuotedAndEscaped() {
        assertEquals("reason=\"bye now\" a=\"x=y\" b=\"say \\\"hi\\\"\" c=\"a\\\\b\"",
                kv("reason", "bye now", "a", "x=y", "b", "say \"hi\"", "c", "a\\b"));
    }

    @Test
    void controlCharactersCannotBreakTheLine() {
        assertEquals("reason=\"one\\ntwo\\u0001\"", kv("reason", "one\ntwo\u0001"));
    }

    @Test
    void jsonWritesNumbersAsNumbersAndNoneAsNull() {
        assertEquals("{\"status\":502,\"subprotocol\":null,\"reason\":\"bye \\\"now\\\"\"}",
                json("status", 502L, "subprotocol", null, "reason", "bye \"now\""));
    }

    @Test
    void anUnknownFormatNamesTheFieldAndTheChoices() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> AccessLog.parse("access-log", "yaml"));
        assertEquals("access-log must be keyvalue, json or off but was 'yaml' (keyvalue is the default)",
                e.getMessage());
    }
}
