package dev.wsproxy.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * CPU time and resident memory of a server process and its children (nginx's workers), read from Linux's
 * {@code /proc}: {@code utime + stime} of {@code /proc/<pid>/stat} (all threads of the process) and
 * {@code VmRSS} of {@code /proc/<pid>/status}. Where there is no procfs every figure is -1, and the report
 * shows "–". Stateless; thread-safe.
 */
final class ProcStats {

    /** Clock ticks per second of the {@code stat} times ({@code getconf CLK_TCK}; 100 on Linux x86/arm). */
    static final long TICKS_PER_SECOND = clockTicks();

    private ProcStats() {
    }

    /** CPU time (user + system) of {@code process} and its descendants in nanoseconds, or -1. */
    static long cpuNanos(ProcessHandle process) {
        return cpuNanos(process, false);
    }

    /** System (kernel) CPU time of {@code process} and its descendants in nanoseconds, or -1. */
    static long systemNanos(ProcessHandle process) {
        return cpuNanos(process, true);
    }

    private static long cpuNanos(ProcessHandle process, boolean systemOnly) {
        long ticks = 0;
        for (ProcessHandle p : withDescendants(process)) {
            long t = cpuTicks(p.pid(), systemOnly);
            if (t < 0) {
                return -1;
            }
            ticks += t;
        }
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }

    /** Resident set size of {@code process} and its descendants in bytes, or -1. */
    static long rssBytes(ProcessHandle process) {
        long sum = 0;
        for (ProcessHandle p : withDescendants(process)) {
            long rss = rssBytes(Path.of("/proc/" + p.pid() + "/status"));
            if (rss < 0) {
                return -1;
            }
            sum += rss;
        }
        return sum;
    }

    /** {@code VmRSS} of one {@code /proc/<pid>/status} file in bytes, or -1. */
    static long rssBytes(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    /** utime + stime (or stime only) in clock ticks (fields 14 and 15 of {@code /proc/<pid>/stat}), or -1. */
    static long cpuTicks(long pid, boolean systemOnly) {
        try {
            return parseStatTicks(Files.readString(Path.of("/proc/" + pid + "/stat")), systemOnly);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The name field {@code (comm)} may hold spaces and parentheses: count the fields after its last ')'. */
    static long parseStatTicks(String stat, boolean systemOnly) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        long stime = Long.parseLong(f[12]); // fields 14 (utime) and 15 (stime); f[0] is field 3 (state)
        return systemOnly ? stime : Long.parseLong(f[11]) + stime;
    }

    private static List<ProcessHandle> withDescendants(ProcessHandle process) {
        return Stream.concat(Stream.of(process), process.descendants()).toList();
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            long ticks = Long.parseLong(out);
            return ticks > 0 ? ticks : 100;
        } catch (IOException | RuntimeException | InterruptedException e) {
            return 100;
        }
    }
}
