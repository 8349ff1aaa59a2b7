package io.berth.agent.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node API listener (the kubelet's port 10250): TLS on one epoll event loop, requests handled
 * on virtual threads by {@link NodeApiRoutes}. Connections beyond the limit are closed as they are
 * accepted; a TLS handshake has 10 s.
 *
 * <p>Thread safety: start once, close once.
 */
public final class NodeApiServer implements AutoCloseable {
  private final EventLoopGroup group;
  private final ExecutorService workers;
  private final Channel server;
  private final AtomicInteger open;

  private NodeApiServer(
      EventLoopGroup group, ExecutorService workers, Channel server, AtomicInteger open) {
    this.group = group;
    this.workers = workers;
    this.server = server;
    this.open = open;
  }

  /** Binds {@code bind} and serves; fails with the address in the message. */
  static NodeApiServer start(
      InetSocketAddress bind, SslContext tls, NodeApiRoutes routes, NodeServerLimits limits) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    AtomicInteger open = new AtomicInteger();
    ChannelHandler limiter = new ConnectionLimiter(open, limits.maxConnections());
    try {
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(EpollServerSocketChannel.class)
              .option(ChannelOption.SO_REUSEADDR, true)
              .option(ChannelOption.SO_BACKLOG, 1024)
              // streamed replies (logs) keep up to 1 MiB queued before the writer waits
              .childOption(
                  ChannelOption.WRITE_BUFFER_WATER_MARK,
                  new io.netty.channel.WriteBufferWaterMark(512 * 1024, 1024 * 1024))
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      SslHandler ssl = tls.newHandler(ch.alloc());
                      ssl.setHandshakeTimeoutMillis(10_000);
                      NodeRequestHandler http = new NodeRequestHandler(routes, limits, workers);
                      ch.pipeline()
                          .addLast(limiter)
                          .addLast(ssl)
                          .addLast(
                              new IdleStateHandler(
                                  0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                          .addLast(http.requestStart())
                          .addLast(
                              new HttpServerCodec(
                                  limits.maxInitialLineBytes(), limits.maxHeaderBytes(), 8192))
                          .addLast(http);
                    }
                  })
              .bind(bind)
              .syncUninterruptibly()
              .channel();
      return new NodeApiServer(group, workers, server, open);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workers.shutdownNow();
      throw new IllegalStateException(
          "cannot serve the node API on " + bind + ": " + e.getMessage(), e);
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** Connections open now. */
  public int openConnections() {
    return open.get();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownNow();
  }

  /** Counts connections; closes those over the limit before their TLS handshake. */
  @ChannelHandler.Sharable
  private static final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private final AtomicInteger open;
    private final int max;

    ConnectionLimiter(AtomicInteger open, int max) {
      this.open = open;
      this.max = max;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      if (open.incrementAndGet() > max) {
        ctx.close();
        return;
      }
      super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      open.decrementAndGet();
      super.channelInactive(ctx);
    }
  }
}
