package dev.wsproxy.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wsproxy.WebSocketProxy;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Keeps the README honest: every block marked {@code <!-- snippet: name given=... -->} is used as written. Java
 * blocks are compiled (as a method body whose parameters are the {@code given} list) against this module's test
 * class path, which holds Spring Boot, Tomcat, Jetty, Undertow and every ws-proxy library; the starter's
 * properties are bound and built; the BOM snippet imports the BOM this build makes.
 */
class ReadmeSnippetsTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Pattern SNIPPET = Pattern.compile(
            "<!-- snippet: (\\S+)(?: given=(.*?))? -->\\n```(\\w+)\\n(.*?)\\n```", Pattern.DOTALL);
    private static final String IMPORTS = String.join("\n",
            "import dev.wsproxy.*;", "import dev.wsproxy.servlet.*;", "import dev.wsproxy.jetty.*;",
            "import dev.wsproxy.micrometer.*;",
            "import jakarta.servlet.*;", "import java.net.*;", "import java.nio.file.*;", "import java.util.*;",
            "import org.eclipse.jetty.server.Server;", "import org.eclipse.jetty.ee10.servlet.ServletContextHandler;",
            "import io.undertow.servlet.Servlets;", "import io.undertow.servlet.api.DeploymentInfo;");

    @TempDir
    Path classes;

    record Snippet(String name, String given, String language, String code, int line) {
    }

    static List<Snippet> snippets() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        List<Snippet> snippets = new ArrayList<>();
        Matcher m = SNIPPET.matcher(readme);
        while (m.find()) {
            int line = (int) readme.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
            snippets.add(new Snippet(m.group(1), m.group(2) == null ? "" : m.group(2), m.group(3), m.group(4), line));
        }
        return snippets;
    }

    private static Snippet snippet(String name) throws IOException {
        return snippets().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("README has no snippet '" + name + "'"));
    }

    @Test
    void javaSnippetsCompileAsWritten() throws IOException {
        List<Snippet> javaSnippets = snippets().stream().filter(s -> s.language().equals("java")).collect(Collectors.toList());
        assertTrue(javaSnippets.size() >= 5, () -> "expected the README's container snippets, found " + javaSnippets);
        List<JavaFileObject> sources = new ArrayList<>();
        for (Snippet snippet : javaSnippets) {
            String className = "Snippet_" + snippet.name().replace('-', '_');
            String source = "package readme;\n" + IMPORTS + "\nclass " + className + " {\n"
                    + "  static class HelloServlet extends jakarta.servlet.http.HttpServlet {}\n"
                    + "  void run(" + snippet.given() + ") throws Exception {\n" + snippet.code() + "\n  }\n}\n";
            sources.add(new SimpleJavaFileObject(java.net.URI.create("string:///readme/" + className + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            });
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-d",
                    classes.toString(), "-proc:none");
            boolean compiled = compiler.getTask(null, files, diagnostics, options, null, sources).call();
            String errors = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(d -> d.getSource().getName() + ":" + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT))
                    .collect(Collectors.joining("\n"));
            assertTrue(compiled, () -> "README snippets do not compile (lines are within the wrapper):\n" + errors);
        }
    }

    @Test
    void starterPropertiesBindAndBuildAProxy() throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(snippet("starter-properties").code()));
        WebSocketProxyProperties bound = new Binder(new MapConfigurationPropertySource(properties))
                .bind("ws-proxy", Bindable.of(WebSocketProxyProperties.class), new NoUnboundElementsBindHandler(BindHandler.DEFAULT))
                .get();
        try (WebSocketProxy proxy = PropertiesToProxy.build(bound, List.of())) {
            assertEquals(2, proxy.routes().size());
            assertEquals("/ws/chat/", proxy.routes().get(0).path());
        }
    }

    @Test
    void bomSnippetImportsTheBomWithEveryArtifactOfTheWhichArtifactTable() throws IOException {
        String bomSnippet = snippet("bom").code();
        assertTrue(bomSnippet.contains("<artifactId>ws-proxy-bom</artifactId>") && bomSnippet.contains(
                "<scope>import</scope>") && bomSnippet.contains("<type>pom</type>"), bomSnippet);
        String bom = Files.readString(Path.of("..", "ws-proxy-bom", "pom.xml"), StandardCharsets.UTF_8);
        String version = bom.replaceAll("(?s).*?<artifactId>ws-proxy-bom</artifactId>\\s*<version>([^<]+)</version>.*",
                "$1");
        assertTrue(bomSnippet.contains("<version>" + version + "</version>"), bomSnippet);
        for (String artifact : List.of("ws-proxy-core", "ws-proxy-servlet", "ws-proxy-jetty",
                "ws-proxy-spring-boot-starter", "ws-proxy-server")) {
            assertTrue(bom.contains("<artifactId>" + artifact + "</artifactId>"), artifact + " missing from the BOM");
        }
    }
}
