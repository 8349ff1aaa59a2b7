package io.berth.probes.prober;

import io.berth.probes.ProbeResult;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One TCP probe's connect straight on the event loop's epoll set, through Netty 4.2's {@link
 * EpollIoHandle} API instead of a Netty channel: a TCP probe never reads or writes, so a channel's
 * pipeline, promises, config and address bookkeeping (getsockname, getpeername, three epoll
 * interest changes) are all cost and no use.
 *
 * <pre>
 *   socket (non-blocking, SO_LINGER 0) ─ connect ─┬─ connected at once ──────────────▶ success
 *                                                 └─ in progress: register for EPOLLOUT, timer
 *   EPOLLOUT/EPOLLERR ─ finishConnect ─▶ success or the connect error
 *   timer ─▶ "i/o timeout"            (every end: timer cancelled, deregistered, closed with RST)
 * </pre>
 *
 * <p>Thread safety: confined to its event loop.
 */
final class EpollTcpConnect extends BareProbeSocket implements Runnable {
  private final String hostPort;
  private final CompletableFuture<ProbeResult> result;
  private ScheduledFuture<?> timer;

  /**
   * @param open the transport's count of open probe sockets, held while this one is open
   */
  EpollTcpConnect(String hostPort, CompletableFuture<ProbeResult> result, AtomicInteger open) {
    super(open);
    this.hostPort = hostPort;
    this.result = result;
  }

  /** Starts the connect; call on {@code loop}. */
  void start(IoEventLoop loop, InetSocketAddress address, Duration timeout) {
    try {
      open(loop, null);
      if (socket.connect(address)) {
        finish(null);
        return;
      }
      register(loop, EpollIoOps.EPOLLOUT);
      timer = loop.schedule(this, Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
    } catch (IOException | RuntimeException e) {
      finish(e);
    }
  }

  /** Writable or an error: the connect is over, one way or the other. */
  @Override
  public void handle(IoRegistration registration, IoEvent event) {
    if (done) {
      return;
    }
    var ops = ((EpollIoEvent) event).ops();
    if (!ops.contains(EpollIoOps.EPOLLOUT) && !ops.contains(EpollIoOps.EPOLLERR)) {
      return;
    }
    try {
      if (socket.finishConnect()) {
        finish(null);
      }
    } catch (IOException e) {
      finish(e);
    }
  }

  /** The connect timeout. */
  @Override
  public void run() {
    finish(new ConnectTimeoutException("connection timed out: " + hostPort));
  }

  /** The loop is shutting down with this socket registered. */
  @Override
  public void close() {
    finish(new ClosedChannelException());
  }

  private void finish(Throwable cause) {
    if (done) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    release();
    result.complete(
        cause == null
            ? ProbeResult.success("")
            : ProbeResult.failure(ProbeTransport.dialError(hostPort, cause)));
  }
}
