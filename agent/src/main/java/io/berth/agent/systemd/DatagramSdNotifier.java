package io.berth.agent.systemd;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify over an unbound Unix datagram socket (Netty epoll), as libsystemd does it: one datagram
 * per notification to the path in {@code $NOTIFY_SOCKET}. An abstract-namespace socket
 * ({@code @name}) is addressed with a leading NUL, as the kernel expects.
 *
 * <p>Thread safety: {@link #notify} may be called from any thread; sends are serialized on the
 * channel's event loop and waited for (bounded) so {@code STOPPING=1} is out before exit.
 */
public final class DatagramSdNotifier implements SdNotifier {
  private static final Logger log = LoggerFactory.getLogger(DatagramSdNotifier.class);
  private static final long SEND_TIMEOUT_MILLIS = 1_000;

  private final DomainSocketAddress target;
  private final EventLoopGroup group;
  private final Channel channel;

  private DatagramSdNotifier(DomainSocketAddress target, EventLoopGroup group, Channel channel) {
    this.target = target;
    this.group = group;
    this.channel = channel;
  }

  /** Opens the sending socket for {@code notifySocket} (a path, or {@code @abstract}). */
  public static DatagramSdNotifier open(String notifySocket) {
    String path = notifySocket.startsWith("@") ? "\0" + notifySocket.substring(1) : notifySocket;
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      Channel channel =
          new Bootstrap()
              .group(group)
              .channel(EpollDomainDatagramChannel.class)
              // unbound and unconnected: each datagram names its recipient, as sd_notify does
              .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
              .handler(new ChannelHandlerAdapter() {})
              .register()
              .syncUninterruptibly()
              .channel();
      return new DatagramSdNotifier(new DomainSocketAddress(path), group, channel);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalStateException(
          "cannot open a datagram socket for NOTIFY_SOCKET=" + notifySocket, e);
    }
  }

  @Override
  public void notify(String assignments) {
    var packet =
        new DomainDatagramPacket(
            Unpooled.copiedBuffer(assignments, StandardCharsets.UTF_8), target);
    var sent = channel.writeAndFlush(packet);
    if (!sent.awaitUninterruptibly(SEND_TIMEOUT_MILLIS)) {
      log.warn(
          "sd_notify to {} did not complete within {} ms: {}",
          target.path(),
          SEND_TIMEOUT_MILLIS,
          firstLine(assignments));
    } else if (!sent.isSuccess()) {
      log.warn(
          "sd_notify to {} failed ({}): {}",
          target.path(),
          sent.cause().toString(),
          firstLine(assignments));
    }
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(SEND_TIMEOUT_MILLIS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2_000);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl) + " ...";
  }
}
