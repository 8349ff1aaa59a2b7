package io.berth.tests.cri;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.tests.fixtures.BerthCommand;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth runtime-info} run as a real process: against a good runtime it reports version and
 * readiness; against bad endpoints it prints exactly one clear line and no stack trace.
 */
class BerthCliIT {
  @TempDir Path dir;

  record Run(int exit, List<String> stdout, List<String> stderr) {}

  private static Run berth(String... args) throws IOException, InterruptedException {
    List<String> cmd = BerthCommand.of(args);
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    var out = p.inputReader(StandardCharsets.UTF_8).lines().toList();
    var err = p.errorReader(StandardCharsets.UTF_8).lines().toList();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("berth exited").isTrue();
    return new Run(p.exitValue(), out, err);
  }

  private static void assertOneCleanErrorLine(Run run, String expected) {
    assertThat(run.exit()).as("exit status, stderr: %s", run.stderr()).isEqualTo(1);
    assertThat(run.stderr()).as("stderr").hasSize(1);
    assertThat(run.stderr().get(0))
        .startsWith("berth: ")
        .contains(expected)
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void reportsVersionAndReadinessOfARealRuntime() throws Exception {
    try (ContainerdLauncher containerd = ContainerdLauncher.launch()) {
      Run run = berth("runtime-info", "--container-runtime-endpoint", containerd.endpoint());

      assertThat(run.exit()).as("stderr: %s", run.stderr()).isZero();
      assertThat(run.stdout())
          .contains(
              "CRI API version: v1",
              "RuntimeReady:    true",
              "NetworkReady:    true",
              "ready:           true")
          .anyMatch(l -> l.startsWith("runtime:         containerd 1.6"));
    }
  }

  @Test
  void missingSocket() throws Exception {
    Path socket = dir.resolve("absent.sock");
    assertOneCleanErrorLine(
        berth("runtime-info", "--container-runtime-endpoint", "unix://" + socket),
        "no CRI runtime listening at unix://" + socket);
  }

  @Test
  void socketThatIsNotACriServer() throws Exception {
    Path socket = dir.resolve("http.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Thread.ofVirtual().start(() -> answerHttp400(server));

      assertOneCleanErrorLine(
          berth("runtime-info", "--container-runtime-endpoint", "unix://" + socket),
          "is not a CRI gRPC server");
    }
  }

  @Test
  void grpcServerWithoutRuntimeV1() throws Exception {
    Path socket = dir.resolve("grpc.sock");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    Server server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .build() // serves no service at all: every call is UNIMPLEMENTED
            .start();
    try {
      assertOneCleanErrorLine(
          berth("runtime-info", "--container-runtime-endpoint", "unix://" + socket), "runtime.v1");
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private static void answerHttp400(ServerSocketChannel server) {
    try {
      while (server.isOpen()) {
        try (SocketChannel c = server.accept()) {
          c.read(ByteBuffer.allocate(4096));
          c.write(
              ByteBuffer.wrap(
                  "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                      .getBytes(StandardCharsets.US_ASCII)));
        }
      }
    } catch (IOException closed) {
      // the test closed the server socket: done
    }
  }
}
