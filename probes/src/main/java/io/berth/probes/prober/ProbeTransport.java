package io.berth.probes.prober;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.NetUtil;
import io.netty.util.internal.PlatformDependent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The network side shared by the TCP, HTTP and gRPC probers: one Netty event loop group (epoll on
 * Linux), connections with {@code SO_LINGER 0}, host names resolved off the event loop, and a count
 * of open probe channels so leaks show.
 *
 * <p>Why {@code SO_LINGER 0}: the kubelet sets a 1 s linger to shorten TIME_WAIT, but on Linux only
 * a zero linger (close with RST) keeps the probing side out of TIME_WAIT; a probe closes only after
 * its exchange is over (or abandoned), so no data it cares about is discarded.
 *
 * <p>Thread safety: safe for concurrent use. The group is owned by the caller.
 */
public final class ProbeTransport {
  private final EventLoopGroup group;
  private final Class<? extends SocketChannel> channelClass;
  private final Executor resolverExecutor;
  private final AtomicInteger openChannels = new AtomicInteger();
  private final boolean epoll;
  private final ChannelFutureListener closed = f -> openChannels.decrementAndGet();

  /**
   * @param group the event loop group all network probes run on: an epoll group where epoll is
   *     available (the channel class is chosen by {@link Epoll#isAvailable()}), NIO elsewhere
   * @param resolverExecutor where host names (not IP literals) are resolved, e.g. virtual threads
   */
  public ProbeTransport(EventLoopGroup group, Executor resolverExecutor) {
    this.group = group;
    this.epoll = Epoll.isAvailable();
    this.channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    this.resolverExecutor = resolverExecutor;
  }

  /**
   * The event loop a probe runs on: the caller's own loop when it is one of the group's (a worker
   * on the shared loop starts its probe without a thread hop), otherwise the next one.
   */
  EventLoop pickLoop() {
    for (var executor : group) {
      if (executor.inEventLoop()) {
        return (EventLoop) executor;
      }
    }
    return group.next();
  }

  /** Runs {@code task} on {@code loop}: at once when already there, queued otherwise. */
  static void runOn(EventLoop loop, Runnable task) {
    if (loop.inEventLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
  }

  public EventLoopGroup group() {
    return group;
  }

  public Class<? extends SocketChannel> channelClass() {
    return channelClass;
  }

  /** Probe channels and sockets (TCP and HTTP) currently open. */
  public int openChannels() {
    return openChannels.get();
  }

  /** The count behind {@link #openChannels()}, for probe sockets made without a channel. */
  AtomicInteger openCounter() {
    return openChannels;
  }

  /** Whether the group is epoll's (Linux). */
  boolean epoll() {
    return epoll;
  }

  /** {@code host:port} as a resolved address when {@code host} is an IP literal, else null. */
  static InetSocketAddress literalAddress(String host, int port) {
    byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
    if (literal == null) {
      return null;
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(host, literal), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("IP literal " + host + " rejected by InetAddress", e);
    }
  }

  /**
   * Resolves {@code host}: IP literals at once, names on the resolver executor, failing with a
   * {@link java.util.concurrent.TimeoutException} when that takes longer than {@code timeout}
   * (enforced on {@code loop}).
   */
  CompletableFuture<InetSocketAddress> resolve(
      String host, int port, Duration timeout, EventLoop loop) {
    byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
    if (literal != null) {
      try {
        return CompletableFuture.completedFuture(
            new InetSocketAddress(InetAddress.getByAddress(host, literal), port));
      } catch (UnknownHostException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    var future =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new InetSocketAddress(InetAddress.getByName(host), port);
              } catch (UnknownHostException e) {
                throw new java.util.concurrent.CompletionException(e);
              }
            },
            resolverExecutor);
    var timer =
        loop.schedule(
            () ->
                future.completeExceptionally(
                    new java.util.concurrent.TimeoutException(
                        "lookup " + host + ": i/o timeout after " + timeout.toMillis() + " ms")),
            timeout.toNanos(),
            java.util.concurrent.TimeUnit.NANOSECONDS);
    future.whenComplete((a, e) -> timer.cancel(false));
    return future;
  }

  /**
   * A new, unregistered probe channel: {@code SO_LINGER 0}, {@code TCP_NODELAY}, counted in {@link
   * #openChannels()} until it closes. Built directly instead of through a {@code Bootstrap} (whose
   * clone, option map, initializer and connect task cost a probe more than the channel itself).
   *
   * @param connectTimeoutMillis Netty's connect timer; 0 for none (the caller's own deadline closes
   *     the channel)
   * @param autoRead false for a channel nothing is read from (TCP probes): saves arming EPOLLIN
   */
  Channel newChannel(int connectTimeoutMillis, boolean autoRead) {
    SocketChannel ch = epoll ? new EpollSocketChannel() : new NioSocketChannel();
    var config = ch.config();
    config.setSoLinger(0);
    if (!PlatformDependent.canEnableTcpNoDelayByDefault()) {
      config.setTcpNoDelay(true); // Netty sets it itself where it can: one setsockopt less
    }
    config.setConnectTimeoutMillis(connectTimeoutMillis);
    if (!autoRead) {
      config.setAutoRead(false);
    }
    openChannels.incrementAndGet();
    ch.closeFuture().addListener(closed);
    return ch;
  }

  /**
   * Registers {@code ch} (from {@link #newChannel}, handlers added) with {@code loop} and connects
   * it to {@code address}. On the loop, registration completes at once and the connect starts
   * without a task hop.
   */
  ChannelFuture connect(EventLoop loop, Channel ch, InetSocketAddress address) {
    var registered = loop.register(ch);
    if (registered.isDone()) {
      return registered.isSuccess() ? ch.connect(address) : registrationFailed(ch, registered);
    }
    var promise = ch.newPromise();
    registered.addListener(
        (ChannelFutureListener)
            f -> {
              if (f.isSuccess()) {
                ch.connect(address, promise);
              } else {
                promise.setFailure(registrationFailed(ch, f).cause());
              }
            });
    return promise;
  }

  private static ChannelFuture registrationFailed(Channel ch, ChannelFuture registration) {
    if (ch.isRegistered()) {
      ch.close();
    } else {
      ch.unsafe().closeForcibly();
    }
    return ch.newFailedFuture(registration.cause());
  }

  /**
   * Go-like text for a failed dial, e.g. {@code dial tcp 10.0.0.1:80: connect: connection refused}.
   */
  static String dialError(String hostPort, Throwable cause) {
    return "dial tcp " + hostPort + ": " + reason(cause);
  }

  private static String reason(Throwable cause) {
    if (cause instanceof io.netty.channel.ConnectTimeoutException) {
      return "i/o timeout";
    }
    var message = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
    for (var errno :
        new String[] {
          "connection refused",
          "no route to host",
          "network is unreachable",
          "connection reset by peer"
        }) {
      if (message.contains(errno)) {
        return "connect: " + errno;
      }
    }
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
