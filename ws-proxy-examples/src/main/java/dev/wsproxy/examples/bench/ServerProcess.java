package dev.wsproxy.examples.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BenchServer} in its own JVM: started with the harness's classpath (or a given one), its port read
 * from its first line, its heap asked for over stdin, stopped over stdin or else by its PID. Its log goes to a
 * file in a temp folder. Not thread-safe: the harness's main thread drives it.
 */
final class ServerProcess implements AutoCloseable {

    /** Memory of a server process. */
    static final class Stats {
        final long heapBytes;
        final long rssBytes;
        final int threads;

        Stats(long heapBytes, long rssBytes, int threads) {
            this.heapBytes = heapBytes;
            this.rssBytes = rssBytes;
            this.threads = threads;
        }
    }

    private final String name;
    private final Process process;
    private final OutputStream commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path log;
    private final int port;

    private ServerProcess(String name, List<String> jvmOptions, String classpath, List<String> args) throws Exception {
        this.name = name;
        log = Files.createTempFile("ws-proxy-bench-" + name + "-", ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(BenchServer.class.getName());
        command.addAll(args);
        process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        commands = process.getOutputStream();
        Thread reader = new Thread(this::readLines, "bench-" + name + "-stdout");
        reader.setDaemon(true);
        reader.start();
        String first = lines.poll(60, TimeUnit.SECONDS);
        if (first == null || !first.startsWith("PORT ")) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not start (first line: " + first + "); see " + log);
        }
        port = Integer.parseInt(first.substring(5).trim());
    }

    static ServerProcess start(String name, List<String> jvmOptions, String... args) throws Exception {
        return new ServerProcess(name, jvmOptions, System.getProperty("java.class.path"), List.of(args));
    }

    /** As {@link #start(String, List, String...)} with another classpath (Tomcat 11's jars first). */
    static ServerProcess startWithClasspath(String name, List<String> jvmOptions, String classpath, String... args)
            throws Exception {
        return new ServerProcess(name, jvmOptions, classpath, List.of(args));
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** Full GC in the child, then its heap in use and RSS. */
    Stats stats() throws Exception {
        String[] f = ask("STATS", "its memory").split(" ");
        return new Stats(Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]));
    }

    /** The JIT compilers' total time in this JVM so far (ms). */
    long compileMillis() throws Exception {
        return Long.parseLong(ask("JIT", "its compile time").substring(4).trim());
    }

    /** Sends {@code command} and returns the child's answer line, which starts with the command and a space. */
    private String ask(String command, String what) throws Exception {
        lines.clear();
        send(command);
        String line = lines.poll(60, TimeUnit.SECONDS);
        if (line == null || !line.startsWith(command + " ")) {
            throw new IllegalStateException(name + " did not report " + what + " (got " + line + "); see " + log);
        }
        return line;
    }

    private void send(String command) throws IOException {
        commands.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
        commands.flush();
    }

    private void readLines() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("PORT ") || line.startsWith("STATS ") || line.startsWith("JIT ")) {
                    lines.add(line);
                } else {
                    System.out.println("  (" + name + ") " + line); // e.g. JFR's startup line
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    @Override
    public void close() throws Exception {
        try {
            send("QUIT");
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
