package dev.wsproxy.jetty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.wsproxy.Balance;
import dev.wsproxy.HealthCheck;
import dev.wsproxy.PoolSettings;
import dev.wsproxy.ProxyRoute;
import dev.wsproxy.Upstream;
import dev.wsproxy.UpstreamMember;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Every ejection is one WARN line naming the member, its failures and how long it is out, and every
 * readmission one INFO line; the same for an active check's down and up. Read back from the log output.
 */
class PoolHealthLogTest {

    private static final String MEMBER_LOGGER = "dev.wsproxy.internal.pool.Member";

    @Test
    void eachEjectionIsOneWarnLineAndEachReadmissionOneInfoLine() throws Exception {
        String refusing = "ws://127.0.0.1:" + PoolFixture.deadPort() + "/";
        try (LogCapture log = new LogCapture(MEMBER_LOGGER);
             PoolFixture f = new PoolFixture(1, b -> ProxyRoute.prefix("/ws/")
                     .upstreams(Upstream.of(refusing), Upstream.of(b.get(0).uri("/"))).balance(Balance.roundRobin())
                     .poolSettings(PoolSettings.builder().maxFails(2).failTimeout(Duration.ofMillis(300)).build())
                     .build())) {
            String healthy = f.member(0);
            for (int i = 0; i < 20 && f.pool().member(refusing).ejections() < 1; i++) {
                f.once("/ws/echo");
            }
            assertEquals(1, f.pool().member(refusing).ejections());
            List<LogCapture.Line> ejected = log.lines("WARN", refusing, "ejected");
            assertEquals(1, ejected.size(), () -> "one WARN line per ejection: " + log.lines(null));
            String first = ejected.get(0).message();
            assertTrue(first.contains("upstream " + refusing + " ejected for 300ms after 2 failure(s) within 300ms"),
                    first);
            assertTrue(first.contains("refused"), "names the last failure: " + first);
            assertEquals(List.of(), log.lines("INFO", refusing, "readmitted"), "not readmitted yet");

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> f.pool().member(refusing).state() == UpstreamMember.State.HEALTHY);
            List<LogCapture.Line> readmitted = log.lines("INFO", refusing, "readmitted");
            assertEquals(1, readmitted.size(), () -> "one INFO line per readmission: " + log.lines(null));
            assertTrue(readmitted.get(0).message().contains("(ejection #1 in a row"), readmitted.get(0).message());

            // failing on: ejected again, for twice as long (Envoy-style back-off), again one line each
            for (int i = 0; i < 20 && f.pool().member(refusing).ejections() < 2; i++) {
                f.once("/ws/echo");
            }
            ejected = log.lines("WARN", refusing, "ejected");
            assertEquals(2, ejected.size(), () -> "one WARN line per ejection: " + log.lines(null));
            assertTrue(ejected.get(1).message().contains("ejected for 600ms after 2 failure(s)"),
                    ejected.get(1).message());
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> f.pool().member(refusing).state() == UpstreamMember.State.HEALTHY);
            assertEquals(2, log.lines("INFO", refusing, "readmitted").size(), () -> log.lines(null).toString());
            assertEquals(List.of(), log.lines(null, healthy), "nothing about the member that never failed");
        }
    }

    @Test
    void anActiveCheckLogsOneWarnLineForDownAndOneInfoLineForUp() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        HttpServer checked = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        checked.createContext("/", exchange -> {
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        checked.start();
        String member = "ws://127.0.0.1:" + checked.getAddress().getPort() + "/";
        try (LogCapture log = new LogCapture(MEMBER_LOGGER);
             PoolFixture f = new PoolFixture(1, b -> ProxyRoute.prefix("/ws/")
                     .upstreams(Upstream.of(member), Upstream.of(b.get(0).uri("/")))
                     .poolSettings(PoolSettings.builder().healthCheck(HealthCheck.http("/health", Duration.ofMillis(30))
                             .rise(2).fall(2)).build()).build())) {
            status.set(503);
            await().atMost(Duration.ofSeconds(5)).until(() -> f.pool().member(member).state()
                    == UpstreamMember.State.DOWN);
            status.set(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> f.pool().member(member).state()
                    == UpstreamMember.State.HEALTHY);
            List<LogCapture.Line> down = log.lines("WARN", member, "marked down");
            assertEquals(1, down.size(), () -> log.lines(null).toString());
            assertTrue(down.get(0).message().contains("after 2 failure(s) in a row: GET /health answered HTTP 503"),
                    down.get(0).message());
            List<LogCapture.Line> up = log.lines("INFO", member, "marked up");
            assertEquals(1, up.size(), () -> log.lines(null).toString());
            assertTrue(up.get(0).message().contains("after 2 success(es) in a row"), up.get(0).message());
        } finally {
            checked.stop(0);
        }
    }
}
