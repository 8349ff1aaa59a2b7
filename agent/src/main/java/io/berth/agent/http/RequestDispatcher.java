package io.berth.agent.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a parsed request into a handler call on a virtual thread and writes the reply back on the
 * channel's event loop. Decoder failures, unknown paths and other methods are answered here.
 */
final class RequestDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

  private final HttpRoutes routes;
  private final ExecutorService handlers;

  RequestDispatcher(HttpRoutes routes, ExecutorService handlers) {
    this.routes = routes;
    this.handlers = handlers;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      boolean tooLong = cause instanceof TooLongFrameException;
      reply(
          ctx,
          false,
          false,
          tooLong ? 431 : 400,
          HttpReply.text(
              tooLong ? 431 : 400, tooLong ? "request header too large\n" : "bad request\n"));
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    boolean head = request.method().equals(HttpMethod.HEAD);
    if (!request.method().equals(HttpMethod.GET) && !head) {
      reply(ctx, keepAlive, false, 405, HttpReply.text(405, "method not allowed\n"));
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(request.uri(), StandardCharsets.UTF_8);
    String path = uri.path();
    var handler = routes.find(path);
    if (handler.isEmpty()) {
      reply(ctx, keepAlive, head, 404, HttpReply.text(404, "not found\n"));
      return;
    }
    var view =
        new HttpRequestView(
            request.method().name(),
            path,
            uri.parameters(),
            request.headers().get(HttpHeaderNames.ACCEPT_ENCODING));
    try {
      handlers.execute(
          () -> {
            HttpReply answer;
            try {
              answer = handler.get().handle(view);
            } catch (Exception | Error e) {
              log.warn("handler for {} failed", path, e);
              answer = HttpReply.text(500, "internal error\n");
            }
            HttpReply out = answer;
            ctx.executor().execute(() -> reply(ctx, keepAlive, head, out.status(), out));
          });
    } catch (RejectedExecutionException shuttingDown) {
      reply(ctx, false, false, 503, HttpReply.text(503, "shutting down\n"));
    }
  }

  private static void reply(
      ChannelHandlerContext ctx, boolean keepAlive, boolean head, int status, HttpReply reply) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
    response.headers().set("X-Content-Type-Options", "nosniff");
    reply.coding().addHeaders(response.headers());
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      ctx.close(); // silent too long: a slow client costs a channel, never a thread
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug(
        "closing HTTP connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
