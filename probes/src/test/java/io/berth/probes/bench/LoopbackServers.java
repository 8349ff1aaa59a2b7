package io.berth.probes.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's servers on loopback, kept as cheap as possible because they share the CPUs with
 * the clients being measured, both on one Netty thread: a TCP port that accepts and keeps each
 * connection until the client resets it, and an HTTP port that answers every request with a
 * pre-encoded {@code 200 ok} (Content-Length, so the client closes first and no side keeps
 * TIME_WAIT sockets).
 *
 * <p>The TCP port used to be a blocking thread that reset every connection 50 ms after accepting
 * it. A prober that got to its connect completion later than that (a GC pause, a busy loop) then
 * failed with "connection reset by peer" although the connection had been established, which a
 * container's listening socket never does: the benchmark turned berth's lateness into failures.
 */
final class LoopbackServers implements AutoCloseable {
  private static final ByteBuf OK =
      Unpooled.unreleasableBuffer(
          Unpooled.copiedBuffer(
              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok",
              StandardCharsets.US_ASCII));

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private final Channel tcp;
  private final Channel http;
  final long serverThreadId;

  LoopbackServers() throws Exception {
    tcp = listen(new Hold());
    http = listen(new Ok());
    serverThreadId = group.next().submit(() -> Thread.currentThread().threadId()).get();
  }

  private Channel listen(ChannelInboundHandlerAdapter handler) throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channel(EpollServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .childOption(ChannelOption.SO_LINGER, 0)
        .childHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline().addLast(handler);
              }
            })
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .sync()
        .channel();
  }

  int tcpPort() {
    return ((InetSocketAddress) tcp.localAddress()).getPort();
  }

  int httpPort() {
    return ((InetSocketAddress) http.localAddress()).getPort();
  }

  /** Keeps a TCP connection open until the prober resets (or closes) it. */
  @io.netty.channel.ChannelHandler.Sharable
  private static final class Hold extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // The prober's reset.
    }
  }

  /** Answers each read that ends a request head; requests are tiny, so one read is one request. */
  @io.netty.channel.ChannelHandler.Sharable
  private static final class Ok extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      boolean end = in.readableBytes() >= 4 && in.getInt(in.writerIndex() - 4) == 0x0d0a0d0a;
      ReferenceCountUtil.release(msg);
      if (end) {
        ctx.writeAndFlush(OK.duplicate());
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // Probers reset connections once they have their answer.
    }
  }

  @Override
  public void close() {
    tcp.close();
    http.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
