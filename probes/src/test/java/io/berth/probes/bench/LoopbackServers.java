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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's servers on loopback, kept as cheap as possible because they share the CPUs with
 * the clients being measured: a TCP port served by one blocking thread that accepts and later
 * resets, and an HTTP port on one Netty thread that answers every request with a pre-encoded {@code
 * 200 ok} (Content-Length, so the client closes first and no side keeps TIME_WAIT sockets).
 */
final class LoopbackServers implements AutoCloseable {
  private static final ByteBuf OK =
      Unpooled.unreleasableBuffer(
          Unpooled.copiedBuffer(
              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok",
              StandardCharsets.US_ASCII));

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private final ServerSocket tcp;
  private final Thread tcpAcceptor;
  private final Channel http;
  final long httpThreadId;

  LoopbackServers() throws Exception {
    tcp = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
    tcpAcceptor = Thread.ofPlatform().name("bench-tcp-server").daemon().start(this::acceptAndReset);
    http =
        new ServerBootstrap()
            .group(group)
            .channel(EpollServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new Ok());
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .sync()
            .channel();
    httpThreadId = group.next().submit(() -> Thread.currentThread().threadId()).get();
  }

  long tcpThreadId() {
    return tcpAcceptor.threadId();
  }

  /**
   * Accepts, keeps each connection 50 ms (long enough for the prober to see it established and
   * reset it itself), then closes it with a reset.
   */
  private void acceptAndReset() {
    var held = new java.util.ArrayDeque<java.net.Socket>();
    var since = new java.util.ArrayDeque<Long>();
    try {
      while (!tcp.isClosed()) {
        var s = tcp.accept();
        s.setSoLinger(true, 0);
        held.add(s);
        since.add(System.nanoTime());
        while (!since.isEmpty() && System.nanoTime() - since.peek() > 50_000_000L) {
          since.poll();
          held.poll().close();
        }
      }
    } catch (IOException e) {
      if (!tcp.isClosed()) {
        throw new UncheckedIOException("benchmark TCP server", e);
      }
    } finally {
      for (var s : held) {
        try {
          s.close();
        } catch (IOException e) {
          throw new UncheckedIOException("benchmark TCP server close", e);
        }
      }
    }
  }

  int tcpPort() {
    return tcp.getLocalPort();
  }

  int httpPort() {
    return ((InetSocketAddress) http.localAddress()).getPort();
  }

  /** Answers each read that ends a request head; requests are tiny, so one read is one request. */
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
  public void close() throws IOException {
    tcp.close();
    http.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
