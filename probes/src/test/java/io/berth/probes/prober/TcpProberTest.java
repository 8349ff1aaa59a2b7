package io.berth.probes.prober;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.probes.ProbeResult;
import io.berth.probes.ProbeResult.Outcome;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** TCP probes against loopback sockets. */
class TcpProberTest {
  final NetFixture net = new NetFixture();

  @AfterEach
  void close() throws Exception {
    assertThat(net.openChannelsAfterSettling()).isZero();
    net.close();
  }

  private ProbeResult probe(int port, Duration timeout) {
    return net.tcp.probe("127.0.0.1", port, timeout).toCompletableFuture().join();
  }

  @Test
  void openPortSucceeds() throws Exception {
    int port = net.rawServer(s -> {});
    assertThat(probe(port, Duration.ofSeconds(1)).outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void closedPortFailsAtOnce() throws Exception {
    int port;
    try (var s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    long t0 = System.nanoTime();
    var r = probe(port, Duration.ofSeconds(1));
    assertThat(r)
        .isEqualTo(
            ProbeResult.failure("dial tcp 127.0.0.1:" + port + ": connect: connection refused"));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
  }

  @Test
  void blackHoledPortFailsWithinItsTimeout() throws Exception {
    int port = net.blackHole();
    long t0 = System.nanoTime();
    var r = probe(port, Duration.ofMillis(300));
    var took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(r).isEqualTo(ProbeResult.failure("dial tcp 127.0.0.1:" + port + ": i/o timeout"));
    assertThat(took).isBetween(Duration.ofMillis(250), Duration.ofMillis(1200));
  }

  @Test
  void manyProbesLeaveNoSocketBehind() throws Exception {
    int port = net.rawServer(NetFixture::closeNow);
    probe(port, Duration.ofSeconds(1));
    assertThat(net.openChannelsAfterSettling()).isZero();
    long before = NetFixture.openFds();
    var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<ProbeResult>>();
    for (int i = 0; i < 300; i++) {
      futures.add(net.tcp.probe("127.0.0.1", port, Duration.ofSeconds(1)).toCompletableFuture());
    }
    assertThat(futures).allMatch(f -> f.join().outcome() == Outcome.SUCCESS);
    assertThat(net.openChannelsAfterSettling()).isZero();
    assertThat(NetFixture.openFdsSettledTo(before + 5)).isLessThanOrEqualTo(before + 5);
  }
}
