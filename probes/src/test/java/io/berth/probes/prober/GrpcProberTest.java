package io.berth.probes.prober;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.probes.ProbeResult;
import io.berth.probes.ProbeResult.Outcome;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** gRPC health probes against grpc-java's health service on loopback. */
class GrpcProberTest {
  static final Duration TIMEOUT = Duration.ofSeconds(1);

  /**
   * For probes a live server answers: long enough for the first gRPC call of the JVM (channel and
   * class set-up) on a loaded machine; a healthy server answers in milliseconds either way.
   */
  static final Duration ANSWERED = Duration.ofSeconds(5);

  final NetFixture net = new NetFixture();
  final HealthStatusManager health = new HealthStatusManager();
  Server server;

  @AfterEach
  void close() throws Exception {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    net.close();
  }

  private int start(boolean withHealth) throws Exception {
    var builder = NettyServerBuilder.forAddress(new InetSocketAddress(NetFixture.loopback(), 0));
    if (withHealth) {
      builder.addService(health.getHealthService());
    }
    server = builder.build().start();
    return server.getPort();
  }

  private ProbeResult probe(int port, Optional<String> service, Duration timeout) {
    return net.grpc.probe("127.0.0.1", port, service, timeout).toCompletableFuture().join();
  }

  @Test
  void servingIsSuccess() throws Exception {
    int port = start(true);
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus("berth.Ready", ServingStatus.SERVING);
    assertThat(probe(port, Optional.empty(), ANSWERED).outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(probe(port, Optional.of("berth.Ready"), ANSWERED).outcome())
        .isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void notServingIsFailure() throws Exception {
    int port = start(true);
    health.setStatus("berth.Ready", ServingStatus.NOT_SERVING);
    assertThat(probe(port, Optional.of("berth.Ready"), ANSWERED))
        .isEqualTo(ProbeResult.failure("service unhealthy (responded with \"NOT_SERVING\")"));
  }

  @Test
  void unknownServiceIsFailure() throws Exception {
    int port = start(true);
    var r = probe(port, Optional.of("no.such.Service"), ANSWERED);
    assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
    assertThat(r.message()).startsWith("error: health rpc probe failed: Status{code=NOT_FOUND");
  }

  @Test
  void serverWithoutHealthServiceIsFailure() throws Exception {
    int port = start(false);
    assertThat(probe(port, Optional.empty(), ANSWERED).message())
        .startsWith(
            "this server does not implement the grpc health protocol (grpc.health.v1.Health)");
  }

  @Test
  void closedPortAndBlackHoleFailWithinTheTimeout() throws Exception {
    int closed;
    try (var s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThat(probe(closed, Optional.empty(), TIMEOUT).message())
        .startsWith("timeout: failed to connect service \"127.0.0.1:" + closed + "\" within 1s");

    int hole = net.blackHole();
    long t0 = System.nanoTime();
    var r = probe(hole, Optional.empty(), Duration.ofMillis(300));
    var took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
    assertThat(r.message()).startsWith("timeout: health rpc did not complete within 300ms");
    assertThat(took).isBetween(Duration.ofMillis(250), Duration.ofMillis(1200));
  }

  @Test
  void serverThatNeverAnswersTimesOutAndGarbageFails() throws Exception {
    int silent = net.rawServer(s -> {});
    assertThat(probe(silent, Optional.empty(), Duration.ofMillis(300)).message())
        .startsWith("timeout: health rpc did not complete within 300ms");
    int garbage =
        net.rawServer(
            s -> {
              try (s) {
                s.getOutputStream()
                    .write(
                        "HTTP/1.0 200 OK\r\n\r\nnot h2"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    var r = probe(garbage, Optional.empty(), TIMEOUT);
    assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
  }

  @Test
  void manyProbesLeaveNoSocketBehind() throws Exception {
    int port = start(true);
    health.setStatus("", ServingStatus.SERVING);
    probe(port, Optional.empty(), ANSWERED);
    long before = NetFixture.openFdsSettledTo(0);
    for (int i = 0; i < 50; i++) {
      assertThat(probe(port, Optional.empty(), ANSWERED).outcome()).isEqualTo(Outcome.SUCCESS);
    }
    assertThat(NetFixture.openFdsSettledTo(before + 5)).isLessThanOrEqualTo(before + 5);
  }
}
