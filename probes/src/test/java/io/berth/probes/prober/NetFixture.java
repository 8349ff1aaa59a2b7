package io.berth.probes.prober;

import io.berth.probes.EventLoopProbeScheduler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The network probers on one real event loop, plus loopback servers that misbehave on purpose.
 * Everything it opens is closed by {@link #close}.
 */
final class NetFixture implements AutoCloseable {
  static final String USER_AGENT = "kube-probe/1.32";

  final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(
          1, Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  final ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
  final ProbeTransport transport = new ProbeTransport(group, virtual);
  final TcpProber tcp = new TcpProber(transport);
  final HttpProber http = new HttpProber(transport, USER_AGENT);
  final GrpcProber grpc = new GrpcProber(transport, USER_AGENT);
  final EventLoopProbeScheduler scheduler =
      new EventLoopProbeScheduler(group.next(), Clock.systemUTC());
  private final List<AutoCloseable> closeables = new ArrayList<>();

  static InetAddress loopback() {
    return InetAddress.getLoopbackAddress();
  }

  /**
   * A loopback server that hands every accepted connection to {@code behaviour} on its own thread.
   */
  int rawServer(Consumer<Socket> behaviour) throws IOException {
    var server = new ServerSocket(0, 4096, loopback());
    closeables.add(server);
    Thread.ofVirtual()
        .start(
            () -> {
              while (!server.isClosed()) {
                try {
                  var s = server.accept();
                  closeables.add(s);
                  Thread.ofVirtual().start(() -> behaviour.accept(s));
                } catch (IOException e) {
                  return; // Closed by close().
                }
              }
            });
    return server.getLocalPort();
  }

  /**
   * A port whose accept queue is full: SYNs to it are dropped, so a connect hangs until its
   * timeout, like a black-holed address (without touching routes or netfilter).
   */
  int blackHole() throws IOException {
    var server = new ServerSocket(0, 1, loopback());
    closeables.add(server);
    // full once two connects in a row time out after the queue took its connections (a backlog
    // of 1 holds two on Linux): a timeout before that is a slow machine, not a full queue
    int timeouts = 0;
    int accepted = 0;
    for (int i = 0; i < 32; i++) {
      var s = new Socket();
      closeables.add(s);
      try {
        s.connect(new InetSocketAddress(loopback(), server.getLocalPort()), 300);
        accepted++;
        timeouts = 0;
      } catch (SocketTimeoutException e) {
        if (++timeouts == 2 && accepted >= 2) {
          return server.getLocalPort();
        }
      }
    }
    throw new IllegalStateException(
        "could not fill the accept queue of port " + server.getLocalPort());
  }

  void register(AutoCloseable c) {
    closeables.add(c);
  }

  /** Waits until every probe channel is closed; returns how many are still open. */
  int openChannelsAfterSettling() throws InterruptedException {
    for (int i = 0; i < 200 && transport.openChannels() > 0; i++) {
      Thread.sleep(5);
    }
    return transport.openChannels();
  }

  /** A server behaviour: close the accepted connection at once. */
  static void closeNow(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Open file descriptors once they have settled to at most {@code limit} (or after 1 s). */
  static long openFdsSettledTo(long limit) throws IOException, InterruptedException {
    long n = openFds();
    for (int i = 0; i < 200 && n > limit; i++) {
      Thread.sleep(5);
      n = openFds();
    }
    return n;
  }

  static long openFds() throws IOException {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }

  @Override
  public void close() {
    for (var c : closeables.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing test fixture resource " + c, e);
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    virtual.shutdownNow();
  }
}
