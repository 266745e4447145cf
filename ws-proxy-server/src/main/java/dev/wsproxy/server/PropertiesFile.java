package dev.wsproxy.server;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A {@code .properties} file read with the line each key is on, so configuration errors can point at it. Each
 * logical line (a line plus its backslash continuations) is parsed by {@link Properties#load} itself, so keys and
 * values mean exactly what they mean to {@code Properties}; the file is read as UTF-8. A key given twice is kept
 * once (the last value, as {@code Properties} would) and reported by {@link #problems()}, as is a line with a
 * malformed Unicode escape. Immutable.
 */
final class PropertiesFile {

    /** One key: its value and the (1-based) line it starts on. */
    record Entry(String key, String value, int line) {
    }

    private final Map<String, Entry> entries;
    private final List<ConfigProblem> problems;

    private PropertiesFile(Map<String, Entry> entries, List<ConfigProblem> problems) {
        this.entries = Collections.unmodifiableMap(entries);
        this.problems = List.copyOf(problems);
    }

    static PropertiesFile read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    static PropertiesFile parse(String text) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<ConfigProblem> problems = new ArrayList<>();
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int first = i;
            StringBuilder logical = new StringBuilder(lines[i]);
            while (endsWithContinuation(lines[i]) && i + 1 < lines.length) {
                logical.append('\n').append(lines[++i]);
            }
            String trimmed = logical.toString().stripLeading();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("!")) {
                continue;
            }
            Properties one = new Properties();
            try {
                one.load(new StringReader(logical.toString()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(first + 1, e.getMessage() + " (write a backslash as \\\\)"));
                continue;
            }
            for (String key : one.stringPropertyNames()) {
                Entry previous = entries.put(key, new Entry(key, one.getProperty(key), first + 1));
                if (previous != null) {
                    problems.add(new ConfigProblem(first + 1, key + " is already set on line " + previous.line()
                            + " (keep one)"));
                }
            }
        }
        return new PropertiesFile(entries, problems);
    }

    private static boolean endsWithContinuation(String line) {
        int backslashes = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    List<ConfigProblem> problems() {
        return problems;
    }
}
