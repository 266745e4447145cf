package dev.wsproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's server configuration passes validation as written. */
class ReadmeServerConfigTest {

    @TempDir
    Path dir;

    @Test
    void readmeConfigurationIsValid() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<!-- snippet: server-config -->\\n```properties\\n(.*?)\\n```", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(m.find(), "README has no server-config snippet");
        Path file = dir.resolve("proxy.properties");
        Files.writeString(file, m.group(1));
        ServerConfig config = ServerConfig.load(file);
        assertEquals("chat", config.proxyProperties.getProperty("routes").trim());
        assertEquals(8080, config.http.getPort());
    }
}
