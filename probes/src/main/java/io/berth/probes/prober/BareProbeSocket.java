package io.berth.probes.prober;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A probe's socket straight in its event loop's epoll set (Netty 4.2's {@link EpollIoHandle} API),
 * without a Netty channel: non-blocking, {@code SO_LINGER 0}, counted in the transport's open probe
 * sockets from {@link #open} to {@link #release}. Subclasses handle the events.
 *
 * <p>Thread safety: confined to its event loop.
 */
abstract class BareProbeSocket implements EpollIoHandle {
  private final AtomicInteger open;
  Socket socket;
  private IoRegistration registration;
  boolean done;

  BareProbeSocket(AtomicInteger open) {
    this.open = open;
  }

  /** Whether {@code loop} runs an epoll set such sockets can join. */
  static boolean supports(io.netty.channel.EventLoop loop) {
    return loop instanceof IoEventLoop io && io.isCompatible(EpollIoHandle.class);
  }

  /** Opens the socket; with {@code ops}, also registers it with {@code loop} for them. */
  final void open(IoEventLoop loop, EpollIoOps ops) throws IOException {
    socket = Socket.newSocketStream();
    open.incrementAndGet();
    socket.setSoLinger(0);
    if (ops != null) {
      register(loop, ops);
    }
  }

  /** Registers the open socket with {@code loop} for {@code ops}; done at once on the loop. */
  final void register(IoEventLoop loop, EpollIoOps ops) throws IOException {
    var registered = loop.register(this);
    if (!registered.isSuccess()) {
      throw registered.cause() instanceof IOException e ? e : new ClosedChannelException();
    }
    registration = registered.getNow();
    registration.submit(ops);
  }

  @Override
  public final FileDescriptor fd() {
    return socket;
  }

  /** Deregisters and closes the socket (a reset: {@code SO_LINGER 0}); marks this done. */
  final void release() {
    done = true;
    if (registration != null) {
      registration.cancel();
    }
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing a probe socket that is done with: nothing left to release
      }
      open.decrementAndGet();
      socket = null;
    }
  }
}
