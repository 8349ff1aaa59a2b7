package io.berth.probes.prober;

import io.berth.probes.ProbeResult;
import io.berth.probes.Prober;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code tcpSocket} probes: success when a connection is established within the timeout; the socket
 * is closed at once (with RST, see {@link ProbeTransport}). On an epoll loop the connect is a bare
 * socket in the loop's epoll set ({@link EpollTcpConnect}); elsewhere a Netty channel that never
 * arms EPOLLIN. Either way the connect timeout is the probe's only timer.
 */
public final class TcpProber {
  private final ProbeTransport transport;

  public TcpProber(ProbeTransport transport) {
    this.transport = transport;
  }

  public CompletionStage<ProbeResult> probe(String host, int port, Duration timeout) {
    return prepare(host, port).probe(timeout);
  }

  /** {@code host:port} bound once: an IP literal's address is made here, not every period. */
  public Prober.Prepared prepare(String host, int port) {
    var hostPort = ProbeTransport.hostPort(host, port);
    var literal = ProbeTransport.literalAddress(host, port);
    if (literal != null) {
      return timeout -> {
        var attempt = new Attempt(hostPort);
        var loop = transport.pickLoop();
        if (loop.inEventLoop()) {
          attempt.dial(loop, literal, timeout);
        } else {
          loop.execute(() -> attempt.dial(loop, literal, timeout));
        }
        return attempt.result;
      };
    }
    return timeout -> resolveAndDial(host, port, hostPort, timeout);
  }

  private CompletionStage<ProbeResult> resolveAndDial(
      String host, int port, String hostPort, Duration timeout) {
    var attempt = new Attempt(hostPort);
    var loop = transport.pickLoop();
    long deadline = System.nanoTime() + timeout.toNanos();
    transport
        .resolve(host, port, timeout, loop)
        .whenComplete(
            (address, error) -> {
              if (error != null) {
                attempt.result.complete(
                    ProbeResult.failure(ProbeTransport.dialError(hostPort, unwrap(error))));
                return;
              }
              var remaining = Duration.ofNanos(deadline - System.nanoTime());
              if (remaining.isNegative() || remaining.isZero()) {
                attempt.result.complete(
                    ProbeResult.failure("dial tcp " + hostPort + ": i/o timeout"));
                return;
              }
              ProbeTransport.runOn(loop, () -> attempt.dial(loop, address, remaining));
            });
    return attempt.result;
  }

  /** One connect; its own listener, so a probe allocates no lambda for it. */
  private final class Attempt implements ChannelFutureListener {
    final String hostPort;
    final CompletableFuture<ProbeResult> result = new CompletableFuture<>();

    Attempt(String hostPort) {
      this.hostPort = hostPort;
    }

    void dial(EventLoop loop, InetSocketAddress address, Duration timeout) {
      if (transport.epoll() && BareProbeSocket.supports(loop)) {
        new EpollTcpConnect(hostPort, result, transport.openCounter())
            .start((IoEventLoop) loop, address, timeout);
        return;
      }
      var channel = transport.newChannel((int) Math.max(1, timeout.toMillis()), false);
      transport.connect(loop, channel, address).addListener(this);
    }

    @Override
    public void operationComplete(ChannelFuture f) {
      if (f.isSuccess()) {
        f.channel().close();
        result.complete(ProbeResult.success(""));
      } else {
        if (f.channel().isOpen()) {
          f.channel().close(); // Netty closes a channel whose connect failed.
        }
        result.complete(ProbeResult.failure(ProbeTransport.dialError(hostPort, f.cause())));
      }
    }
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
