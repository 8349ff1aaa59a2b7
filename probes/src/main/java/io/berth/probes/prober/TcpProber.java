package io.berth.probes.prober;

import io.berth.probes.ProbeResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code tcpSocket} probes: success when a connection is established within the timeout; the socket
 * is closed at once (with RST, see {@link ProbeTransport}).
 */
public final class TcpProber {
  private final ProbeTransport transport;

  public TcpProber(ProbeTransport transport) {
    this.transport = transport;
  }

  public CompletionStage<ProbeResult> probe(String host, int port, Duration timeout) {
    var result = new CompletableFuture<ProbeResult>();
    var hostPort = ProbeTransport.hostPort(host, port);
    long deadline = System.nanoTime() + timeout.toNanos();
    var loop = transport.pickLoop();
    transport
        .resolve(host, port, timeout, loop)
        .whenComplete(
            (address, error) -> {
              if (error != null) {
                result.complete(
                    ProbeResult.failure(ProbeTransport.dialError(hostPort, unwrap(error))));
                return;
              }
              var remaining = Duration.ofNanos(deadline - System.nanoTime());
              if (remaining.isNegative() || remaining.isZero()) {
                result.complete(ProbeResult.failure("dial tcp " + hostPort + ": i/o timeout"));
                return;
              }
              transport
                  .connect(loop, address, remaining, ch -> {})
                  .addListener(
                      (io.netty.channel.ChannelFutureListener)
                          f -> {
                            if (f.isSuccess()) {
                              f.channel().close();
                              result.complete(ProbeResult.success(""));
                            } else {
                              if (f.channel().isOpen()) {
                                f.channel().close(); // Netty closes a channel whose connect failed.
                              }
                              result.complete(
                                  ProbeResult.failure(
                                      ProbeTransport.dialError(hostPort, f.cause())));
                            }
                          });
            });
    return result;
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
