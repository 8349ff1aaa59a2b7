package io.berth.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.cri.fake.FakeCriServer;
import io.berth.cri.fake.GarbageSocketServer;
import io.berth.cri.v1.VersionResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad endpoints give one clear line each, as a typed exception. */
class ConnectTest {
  static final CriOptions FAST = CriOptions.defaults().withConnectTimeout(Duration.ofSeconds(5));

  @TempDir Path dir;

  @Test
  void connectsWithUnixUrlOrBarePath() {
    try (var server = FakeCriServer.start(dir.resolve("ok.sock"), Clock.systemUTC())) {
      try (var cri = CriRuntime.connect(server.endpoint(), FAST)) {
        assertThat(cri.version().runtimeName()).isEqualTo("fake-cri");
        assertThat(cri.endpoint()).isEqualTo("unix://" + dir.resolve("ok.sock"));
      }
      try (var cri = CriRuntime.connect(dir.resolve("ok.sock").toString(), FAST)) {
        assertThat(cri.runtime().status().runtimeReady()).isTrue();
      }
    }
  }

  @Test
  void missingSocket() {
    String endpoint = "unix://" + dir.resolve("x.sock");

    assertThatThrownBy(() -> CriRuntime.connect(endpoint, FAST))
        .isInstanceOf(CriUnavailableException.class)
        .hasMessage("no CRI runtime listening at " + endpoint + ": socket file does not exist");
  }

  @Test
  void regularFileIsNotASocket() throws IOException {
    Path file = Files.writeString(dir.resolve("file.sock"), "x");

    assertThatThrownBy(() -> CriRuntime.connect(file.toString(), FAST))
        .isInstanceOf(CriUnavailableException.class)
        .hasMessage(
            "no CRI runtime listening at unix://" + file + ": " + file + " is not a socket");
  }

  @Test
  void staleSocketFileWithNobodyListening() throws IOException {
    Path socket = dir.resolve("stale.sock");
    GarbageSocketServer.http400(socket).close();
    // close() removes the file; recreate a socket file nobody listens on.
    var channel = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
    channel.bind(java.net.UnixDomainSocketAddress.of(socket));
    channel.close(); // the file stays, nobody accepts

    assertThatThrownBy(() -> CriRuntime.connect("unix://" + socket, FAST))
        .isInstanceOf(CriUnavailableException.class)
        .hasMessageStartingWith(
            "no CRI runtime listening at unix://" + socket + ": connection refused");
  }

  @Test
  void socketSpeakingHttp1IsNotACriServer() throws IOException {
    try (var garbage = GarbageSocketServer.http400(dir.resolve("http.sock"))) {
      assertThatThrownBy(() -> CriRuntime.connect(garbage.endpoint(), FAST))
          .isInstanceOf(CriProtocolException.class)
          .hasMessageStartingWith(
              "the server at " + garbage.endpoint() + " is not a CRI gRPC server")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }

  @Test
  void socketThatClosesAtOnceIsNotACriServer() throws IOException {
    try (var garbage = GarbageSocketServer.closeImmediately(dir.resolve("close.sock"))) {
      assertThatThrownBy(() -> CriRuntime.connect(garbage.endpoint(), FAST))
          .isInstanceOf(CriProtocolException.class)
          .hasMessageStartingWith(
              "the server at " + garbage.endpoint() + " is not a CRI gRPC server");
    }
  }

  @Test
  void grpcServerWithoutRuntimeV1IsRefused() {
    try (var server =
        FakeCriServer.startWithoutRuntimeV1(dir.resolve("old.sock"), Clock.systemUTC())) {
      assertThatThrownBy(() -> CriRuntime.connect(server.endpoint(), FAST))
          .isInstanceOf(CriUnsupportedApiException.class)
          .hasMessageStartingWith(
              "the server at "
                  + server.endpoint()
                  + " does not serve the CRI runtime.v1 API (Version: ")
          .hasMessageContaining("runtime.v1.RuntimeService");
    }
  }

  @Test
  void runtimeReportingAnOlderApiVersionIsRefused() {
    try (var server = FakeCriServer.start(dir.resolve("alpha.sock"), Clock.systemUTC())) {
      server
          .runtime()
          .setVersion(
              VersionResponse.newBuilder()
                  .setRuntimeName("old")
                  .setRuntimeVersion("1.4")
                  .setRuntimeApiVersion("v1alpha2")
                  .build());

      assertThatThrownBy(() -> CriRuntime.connect(server.endpoint(), FAST))
          .isInstanceOf(CriUnsupportedApiException.class)
          .hasMessage(
              "CRI runtime at "
                  + server.endpoint()
                  + " (old 1.4) reports API version v1alpha2, berth needs runtime.v1");
    }
  }

  @Test
  void nonUnixEndpointsAreRejected() {
    assertThatThrownBy(() -> CriRuntime.connect("tcp://127.0.0.1:1234", FAST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "CRI endpoint 'tcp://127.0.0.1:1234' is not supported;"
                + " expected unix:///path/to/socket or an absolute socket path");
    assertThatThrownBy(() -> CriRuntime.connect("", FAST))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CriRuntime.connect("unix://relative.sock", FAST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("absolute socket path");
  }
}
