package io.berth.agent.systemd;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Stands in for systemd's notify socket: a bound Unix datagram socket that keeps what arrives. */
final class NotifySocketListener implements AutoCloseable {
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final Channel channel;
  private final Path path;

  NotifySocketListener(Path path) {
    this.path = path;
    this.channel =
        new Bootstrap()
            .group(group)
            .channel(EpollDomainDatagramChannel.class)
            .handler(
                new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket p) {
                    received.add(p.content().toString(StandardCharsets.UTF_8));
                  }
                })
            .bind(new DomainSocketAddress(path.toString()))
            .syncUninterruptibly()
            .channel();
  }

  Path path() {
    return path;
  }

  /** The next datagram, or fails after {@code max}. */
  String next(Duration max) throws InterruptedException {
    String s = received.poll(max.toMillis(), TimeUnit.MILLISECONDS);
    if (s == null) {
      throw new AssertionError("no datagram on " + path + " within " + max);
    }
    return s;
  }

  /** Whatever arrives within {@code window}, or null. */
  String poll(Duration window) throws InterruptedException {
    return received.poll(window.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
