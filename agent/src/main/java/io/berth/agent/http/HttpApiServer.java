package io.berth.agent.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A plain-HTTP listener for berth's local API on one epoll event loop, bound to loopback by default
 * as the kubelet binds its healthz port. The kubelet's authenticated port (10250) serving the same
 * routes is {@code io.berth.agent.server}.
 *
 * <p>Thread safety: start once, close once; routes are read-only after start.
 */
public final class HttpApiServer implements AutoCloseable {
  private final EventLoopGroup group;
  private final ExecutorService handlers;
  private final Channel server;

  private HttpApiServer(EventLoopGroup group, ExecutorService handlers, Channel server) {
    this.group = group;
    this.handlers = handlers;
    this.server = server;
  }

  /** Binds and starts serving; fails with the address in the message if the port is taken. */
  public static HttpApiServer start(InetSocketAddress bind, HttpRoutes routes, HttpLimits limits) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    try {
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(EpollServerSocketChannel.class)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      long idle = limits.idleTimeout().toMillis();
                      ch.pipeline()
                          .addLast(new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS))
                          .addLast(
                              new HttpServerCodec(
                                  limits.maxInitialLineBytes(), limits.maxHeaderBytes(), 8192))
                          .addLast(new HttpObjectAggregator(limits.maxBodyBytes()))
                          .addLast(new RequestDispatcher(routes, handlers));
                    }
                  })
              .bind(bind)
              .syncUninterruptibly()
              .channel();
      return new HttpApiServer(group, handlers, server);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      handlers.shutdownNow();
      throw new IllegalStateException("cannot serve HTTP on " + bind + ": " + e.getMessage(), e);
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    handlers.shutdownNow();
  }
}
