package io.berth.cri.internal;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A plaintext gRPC channel over a Unix domain socket, with its own one-thread Netty epoll event
 * loop. gRPC reconnects by itself (with exponential backoff) when the runtime restarts; {@link
 * #awaitReady} shortens that wait when a call is about to be made.
 *
 * <p>Thread safety: thread-safe; {@link #close()} is idempotent.
 */
public final class UdsChannel implements AutoCloseable {
  private final ManagedChannel channel;
  private final EventLoopGroup group;

  private UdsChannel(ManagedChannel channel, EventLoopGroup group) {
    this.channel = channel;
    this.group = group;
  }

  /** Builds the channel; does not connect yet (gRPC connects on the first call). */
  public static UdsChannel open(UnixEndpoint endpoint, int maxInboundMessageBytes) {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException(
          "cannot reach " + endpoint + ": Netty epoll is not available on this machine",
          Epoll.unavailabilityCause());
    }
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("berth-cri-epoll", true), EpollIoHandler.newFactory());
    try {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress(new DomainSocketAddress(endpoint.socket().toString()))
              .channelType(EpollDomainSocketChannel.class)
              .eventLoopGroup(group)
              .usePlaintext()
              .overrideAuthority("localhost")
              .maxInboundMessageSize(maxInboundMessageBytes)
              .build();
      return new UdsChannel(channel, group);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  public ManagedChannel channel() {
    return channel;
  }

  /**
   * If the channel is in TRANSIENT_FAILURE (the runtime was down at the last attempt), skips the
   * reconnect backoff and waits up to {@code max} for the channel to become READY. Returns at once
   * when the channel is READY, IDLE or CONNECTING (a call then waits for the connection itself).
   */
  public void awaitReady(Duration max) {
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE && !max.isZero()) {
      reconnect(max);
    }
  }

  /**
   * Skips the reconnect backoff, asks for a connection and waits up to {@code max} until the
   * channel is READY. Returns whether it is.
   */
  public boolean reconnect(Duration max) {
    channel.resetConnectBackoff();
    ConnectivityState state = channel.getState(true);
    long deadline = System.nanoTime() + max.toNanos();
    while (state != ConnectivityState.READY && state != ConnectivityState.SHUTDOWN) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      CountDownLatch changed = new CountDownLatch(1);
      channel.notifyWhenStateChanged(state, changed::countDown);
      try {
        if (!changed.await(left, TimeUnit.NANOSECONDS)) {
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      state = channel.getState(true);
    }
    return state == ConnectivityState.READY;
  }

  /** Shuts the channel down and then its event loop; waits up to a few seconds for both. */
  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
