package io.berth.probes.prober;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One plain-HTTP connection of a probe as a bare socket in the loop's epoll set (Netty 4.2's {@link
 * EpollIoHandle} API), like {@link EpollTcpConnect}: registered once, edge-triggered, for input and
 * output; the prepared request written from native memory; the answer read into one buffer per loop
 * thread and fed to an {@link HttpResponseParser}. Saves a probe a Netty channel (pipeline,
 * promises, config), getsockname, getpeername and two epoll interest changes.
 *
 * <pre>
 *   socket (SO_LINGER 0) ─ register IN|OUT|RDHUP, edge-triggered ─ connect
 *   OUT: finishConnect ─▶ listener.connected ─▶ write the request (the rest on the next OUT)
 *   IN / RDHUP / ERR: read until EAGAIN ─▶ parser ─▶ done, or EOF ─▶ parser.endOfInput
 *   done: deregistered, closed (RST) ─▶ listener.answered
 * </pre>
 *
 * <p>Thread safety: confined to its event loop.
 */
final class EpollHttpConnection extends BareProbeSocket {
  /** What the exchange hears from its connection. */
  interface Listener {
    void connected(EpollHttpConnection connection);

    void dialFailed(EpollHttpConnection connection, Throwable cause);

    void answered(EpollHttpConnection connection, HttpResponseParser.Result result);

    void failed(EpollHttpConnection connection, Throwable cause);
  }

  /** Reads land here and are parsed at once, so one buffer per loop thread serves every probe. */
  private static final FastThreadLocal<ByteBuf> READ_BUFFER =
      new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
          return Unpooled.directBuffer(16 * 1024);
        }
      };

  private final Listener listener;
  private final ByteBuf request;
  private final HttpResponseParser parser = new HttpResponseParser();
  private boolean connected;
  private int written;

  /**
   * @param request the encoded request in native memory ({@link ByteBuf#hasMemoryAddress()})
   * @param open the transport's count of open probe sockets
   */
  EpollHttpConnection(Listener listener, ByteBuf request, AtomicInteger open) {
    super(open);
    this.listener = listener;
    this.request = request;
  }

  /** Starts the connect; call on {@code loop}. */
  void start(IoEventLoop loop, InetSocketAddress address) {
    try {
      open(
          loop,
          EpollIoOps.EPOLLIN
              .with(EpollIoOps.EPOLLOUT)
              .with(EpollIoOps.EPOLLRDHUP)
              .with(EpollIoOps.EPOLLET));
      if (socket.connect(address)) {
        onConnected();
      }
    } catch (IOException | RuntimeException e) {
      if (!done) {
        abandon();
        listener.dialFailed(this, e);
      }
    }
  }

  @Override
  public void handle(IoRegistration registration, IoEvent event) {
    if (done) {
      return;
    }
    var ops = ((EpollIoEvent) event).ops();
    boolean error = ops.contains(EpollIoOps.EPOLLERR);
    try {
      if (!connected) {
        if (!ops.contains(EpollIoOps.EPOLLOUT) && !error) {
          return;
        }
        if (!socket.finishConnect()) {
          return;
        }
        onConnected();
      } else if (ops.contains(EpollIoOps.EPOLLOUT) && written < request.readableBytes()) {
        write();
      }
      if (!done
          && (ops.contains(EpollIoOps.EPOLLIN) || ops.contains(EpollIoOps.EPOLLRDHUP) || error)) {
        read();
      }
    } catch (IOException e) {
      if (!done) {
        boolean dial = !connected;
        abandon();
        if (dial) {
          listener.dialFailed(this, e);
        } else {
          listener.failed(this, e);
        }
      }
    }
  }

  private void onConnected() throws IOException {
    connected = true;
    listener.connected(this);
    if (!done) {
      write();
    }
  }

  private void write() throws IOException {
    int start = request.readerIndex();
    int end = request.writerIndex();
    while (written < end - start) {
      int n = socket.writeAddress(request.memoryAddress(), start + written, end);
      if (n <= 0) {
        return; // the socket's buffer is full: the next EPOLLOUT edge continues
      }
      written += n;
    }
  }

  /** Reads until the socket has no more (edge-triggered), the parser is done, or the end. */
  private void read() throws IOException {
    var buf = READ_BUFFER.get();
    while (!done) {
      buf.clear();
      int n = socket.readAddress(buf.memoryAddress(), 0, buf.capacity());
      if (n == 0) {
        return; // EAGAIN: wait for the next edge
      }
      if (n < 0) {
        parser.endOfInput();
        answered();
        return;
      }
      buf.writerIndex(n);
      if (parser.feed(buf)) {
        answered();
        return;
      }
    }
  }

  private void answered() {
    abandon();
    listener.answered(this, parser.result());
  }

  /** Ends the connection now (deregistered, closed with RST); nothing more is reported. */
  void abandon() {
    if (done) {
      return;
    }
    parser.release();
    release();
  }

  /** The loop is shutting down with this socket registered. */
  @Override
  public void close() {
    if (!done) {
      abandon();
      listener.failed(this, new ClosedChannelException());
    }
  }
}
