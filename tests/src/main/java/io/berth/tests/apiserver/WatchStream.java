package io.berth.tests.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.function.UnaryOperator;

/**
 * One open watch response: each event is a chunk holding one JSON line {@code
 * {"type":...,"object":...}}. Ends cleanly on its timeout, abruptly on a fault.
 */
final class WatchStream implements WatchSink {
  private final ChannelHandlerContext ctx;
  private final ApiResource resource;
  private final UnaryOperator<ObjectNode> render;
  private final Faults faults;
  private final boolean keepAlive;
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  private volatile ObjectStore.Watch watch;
  private volatile boolean cutNext;
  private volatile boolean finished;

  WatchStream(
      ChannelHandlerContext ctx,
      ApiResource resource,
      UnaryOperator<ObjectNode> render,
      Faults faults,
      boolean keepAlive) {
    this.ctx = ctx;
    this.resource = resource;
    this.render = render;
    this.faults = faults;
    this.keepAlive = keepAlive;
    faults.opened(this);
    ctx.channel().closeFuture().addListener(f -> stop());
  }

  /** The resource watched, e.g. {@link ApiResources#CONFIGMAPS}. */
  ApiResource resource() {
    return resource;
  }

  void attach(ObjectStore.Watch watch, long timeoutSeconds, long bookmarkMillis) {
    this.watch = watch;
    if (watch == null) {
      finish();
      return;
    }
    timers.add(
        ctx.executor()
            .schedule(this::finish, timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS));
    if (bookmarkMillis > 0) {
      timers.add(
          ctx.executor()
              .scheduleAtFixedRate(
                  watch::bookmark,
                  bookmarkMillis,
                  bookmarkMillis,
                  java.util.concurrent.TimeUnit.MILLISECONDS));
    }
  }

  @Override
  public void event(String type, ObjectNode object) {
    if (finished) {
      return;
    }
    ObjectNode event = Json.object();
    event.put("type", type);
    boolean plain = type.equals("BOOKMARK") || type.equals("ERROR");
    event.set("object", plain ? object : render.apply(object));
    byte[] bytes;
    try {
      bytes = (Json.MAPPER.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a watch event", e);
    }
    if (cutNext) {
      stop();
      ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes, 0, bytes.length / 2)))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
  }

  void cutNextEvent() {
    cutNext = true;
  }

  void abort() {
    stop();
    ctx.channel().close();
  }

  /** Ends the response cleanly, as the real server does when timeoutSeconds pass. */
  void finish() {
    if (finished) {
      return;
    }
    stop();
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
        .addListener(
            keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
  }

  private void stop() {
    finished = true;
    ObjectStore.Watch w = watch;
    if (w != null) {
      w.cancel();
    }
    timers.forEach(t -> t.cancel(false));
    faults.closed(this);
  }
}
