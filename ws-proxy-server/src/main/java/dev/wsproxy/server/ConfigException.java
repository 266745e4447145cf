package dev.wsproxy.server;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration file with errors: every one of them, in line order. Immutable. */
final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final transient List<ConfigProblem> problems;

    ConfigException(String file, List<ConfigProblem> problems) {
        super(problems.stream().map(p -> p.format(file)).collect(Collectors.joining("\n")));
        this.file = file;
        this.problems = List.copyOf(problems);
    }

    List<ConfigProblem> problems() {
        return problems;
    }

    /** One line per problem, {@code file:line: message}. */
    List<String> lines() {
        return problems.stream().map(p -> p.format(file)).collect(Collectors.toList());
    }
}
