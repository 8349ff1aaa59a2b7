package io.berth.probes.prober;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.berth.probes.ContainerProbes;
import io.berth.probes.ContainerState;
import io.berth.probes.PodRef;
import io.berth.probes.ProbeHandler;
import io.berth.probes.ProbeManager;
import io.berth.probes.ProbeMetrics;
import io.berth.probes.ProbeResults;
import io.berth.probes.ProbeSpec;
import io.berth.probes.ProbeType;
import io.berth.probes.ProbeUpdate;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The whole chain on the real event loop: manager, workers, probers, results channel. */
class ProbeManagerLoopbackTest {

  @Test
  void readinessAndLivenessResultsFlowThroughTheResultsChannel() throws Exception {
    try (var net = new NetFixture()) {
      var http = HttpServer.create(new InetSocketAddress(NetFixture.loopback(), 0), 50);
      http.createContext(
          "/ready",
          ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
          });
      http.start();
      net.register(() -> http.stop(0));
      int closed;
      try (var s = new ServerSocket(0)) {
        closed = s.getLocalPort();
      }
      var exec =
          new ExecProber(
              (id, cmd, t) -> CompletableFuture.failedFuture(new UnsupportedOperationException()),
              net.scheduler);
      var prober = new HandlerProber(net.tcp, net.http, net.grpc, exec);
      var results = new ProbeResults();
      var manager =
          new ProbeManager(
              prober, results, new ProbeMetrics(), net.scheduler, new SplittableRandom(3));
      var pod = new PodRef("uid-1", "ns", "web");
      manager.addContainer(
          pod,
          "app",
          ContainerProbes.none()
              .withReadiness(
                  ProbeSpec.of(ProbeHandler.Http.get(http.getAddress().getPort(), "/ready"))
                      .withPeriodSeconds(1))
              .withLiveness(
                  ProbeSpec.of(ProbeHandler.Tcp.of(closed))
                      .withPeriodSeconds(1)
                      .withFailureThreshold(1)));
      manager.updateContainer(
          "uid-1", "app", ContainerState.running("c1", Instant.now(), "127.0.0.1"));

      boolean ready = false;
      boolean restart = false;
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while ((!ready || !restart) && System.nanoTime() < deadline) {
        var update = results.poll(Duration.ofMillis(100));
        if (update.isEmpty()) {
          continue;
        }
        ProbeUpdate u = update.get();
        ready |= u.type() == ProbeType.READINESS && u.ready();
        restart |= u.type() == ProbeType.LIVENESS && u.restartContainer();
      }
      assertThat(List.of(ready, restart)).containsExactly(true, true);
      manager.close();
      assertThat(net.openChannelsAfterSettling()).isZero();
    }
  }
}
