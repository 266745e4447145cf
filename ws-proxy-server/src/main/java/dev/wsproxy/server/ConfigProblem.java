package dev.wsproxy.server;

/**
 * One error in a configuration file: the line it is on ({@code 0} when it concerns the file as a whole, such as a
 * missing key) and a message naming the key, the value and the fix.
 */
record ConfigProblem(int line, String message) {

    /** {@code proxy.properties:12: message}, or {@code proxy.properties: message} for the whole file. */
    String format(String file) {
        return file + (line > 0 ? ":" + line : "") + ": " + message;
    }
}
