package io.berth.cri.fake;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real gRPC server on a Unix socket serving {@link FakeRuntimeService} and {@link
 * FakeImageService}, like containerd's CRI plugin does. It can be stopped and started again on the
 * same socket path, keeping the fakes' state, to test reconnects.
 *
 * <pre>{@code
 * try (FakeCriServer server = FakeCriServer.start(tempDir.resolve("cri.sock"), clock)) {
 *   try (CriRuntime cri = CriRuntime.connect(server.endpoint())) { ... }
 * }
 * }</pre>
 */
public final class FakeCriServer implements AutoCloseable {
  private final Path socket;
  private final List<BindableService> services;
  private final FakeRuntimeService runtime;
  private final FakeImageService images;
  private EventLoopGroup group;
  private Server server;

  private FakeCriServer(
      Path socket, FakeRuntimeService runtime, FakeImageService images, List<BindableService> s) {
    this.socket = socket;
    this.runtime = runtime;
    this.images = images;
    this.services = s;
  }

  /** Serves both CRI v1 services. */
  public static FakeCriServer start(Path socket, Clock clock) {
    var runtime = new FakeRuntimeService(clock);
    var images = new FakeImageService();
    var server = new FakeCriServer(socket, runtime, images, List.of(runtime, images));
    server.start();
    return server;
  }

  /** Serves only the image service: a gRPC server without {@code runtime.v1.RuntimeService}. */
  public static FakeCriServer startWithoutRuntimeV1(Path socket, Clock clock) {
    var images = new FakeImageService();
    var server = new FakeCriServer(socket, new FakeRuntimeService(clock), images, List.of(images));
    server.start();
    return server;
  }

  public synchronized void start() {
    if (server != null) {
      throw new IllegalStateException("already running on " + socket);
    }
    try {
      Files.deleteIfExists(socket);
      group =
          new MultiThreadIoEventLoopGroup(
              1, new DefaultThreadFactory("fake-cri", true), EpollIoHandler.newFactory());
      var builder =
          NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
              .channelType(EpollServerDomainSocketChannel.class)
              .bossEventLoopGroup(group)
              .workerEventLoopGroup(group);
      services.forEach(builder::addService);
      server = builder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start fake CRI server on " + socket, e);
    }
  }

  /** Stops serving and removes the socket file, as a runtime that exits would. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    server = null;
    group = null;
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + socket, e);
    }
  }

  public String endpoint() {
    return "unix://" + socket;
  }

  public Path socket() {
    return socket;
  }

  public FakeRuntimeService runtime() {
    return runtime;
  }

  public FakeImageService images() {
    return images;
  }

  @Override
  public void close() {
    stop();
  }
}
