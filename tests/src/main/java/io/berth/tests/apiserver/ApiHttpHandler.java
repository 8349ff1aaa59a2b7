package io.berth.tests.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one HTTP request to discovery, the object store or a watch stream, and renders the answer
 * (object, list, Table or Status). Shared by all connections; stateless apart from its
 * collaborators.
 */
@ChannelHandler.Sharable
final class ApiHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(ApiHttpHandler.class);
  private static final String TABLE_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";

  private final ObjectStore store;
  private final Tables tables;
  private final Faults faults;
  private final RequestLog requestLog;
  private final long bookmarkMillis;
  private final String serverAddress;
  private final AuthReviews reviews;
  private final KubeletProxy kubelets;

  ApiHttpHandler(
      ObjectStore store,
      Tables tables,
      Faults faults,
      RequestLog requestLog,
      long bookmarkMillis,
      String serverAddress,
      AuthReviews reviews,
      KubeletProxy kubelets) {
    this.store = store;
    this.tables = tables;
    this.faults = faults;
    this.requestLog = requestLog;
    this.bookmarkMillis = bookmarkMillis;
    this.serverAddress = serverAddress;
    this.reviews = reviews;
    this.kubelets = kubelets;
  }

  /** One request's parsed parts, detached from Netty's reference-counted buffers. */
  private record Call(
      String method,
      String path,
      Map<String, List<String>> params,
      byte[] body,
      String contentType,
      String accept,
      boolean keepAlive) {
    String param(String name) {
      List<String> v = params.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    boolean table() {
      return accept != null && accept.contains("as=Table");
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    QueryStringDecoder qs = new QueryStringDecoder(req.uri());
    Call call =
        new Call(
            req.method().name(),
            qs.path(),
            qs.parameters(),
            ByteBufUtil.getBytes(req.content()),
            req.headers().get(HttpHeaderNames.CONTENT_TYPE),
            req.headers().get(HttpHeaderNames.ACCEPT),
            HttpUtil.isKeepAlive(req));
    boolean watch =
        "true".equals(call.param("watch"))
            || "1".equals(call.param("watch"))
            || qs.path().contains("/watch/");
    requestLog.record(
        call.method(),
        req.uri(),
        watch,
        req.headers().get(HttpHeaderNames.AUTHORIZATION),
        req.headers().get(HttpHeaderNames.USER_AGENT));
    requestLog.received(req.content().readableBytes());
    Integer failure =
        faults.failureFor(new Faults.Request(call.method(), call.path(), qs.rawQuery(), watch));
    if (failure != null) {
      ApiError e = ApiError.injected(failure);
      sendJson(ctx, call, e.code(), e.toStatus(), "application/json");
      return;
    }
    if (toKubelet(ctx, req, call)) {
      return;
    }
    long stall = faults.stallFor();
    if (stall > 0) {
      ctx.executor().schedule(() -> handle(ctx, call, watch), stall, TimeUnit.MILLISECONDS);
    } else {
      handle(ctx, call, watch);
    }
  }

  /**
   * pods/NAME/ephemeralcontainers: GET the pod; PUT or PATCH (any patch type) it, of which only
   * {@code spec.ephemeralContainers} is taken, and only additions (as the real server validates).
   */
  private void ephemeralContainers(ChannelHandlerContext ctx, Call call, ApiPath p)
      throws java.io.IOException {
    ApiResource r = p.resource();
    switch (call.method()) {
      case "GET" -> sendObject(ctx, call, 200, r, store.get(r, p.namespace(), p.name()));
      case "PUT" ->
          sendObject(
              ctx,
              call,
              200,
              r,
              store.updateEphemeralContainers(p.namespace(), p.name(), bodyObject(call)));
      case "PATCH" ->
          sendObject(
              ctx,
              call,
              200,
              r,
              store.updateEphemeralContainers(
                  p.namespace(),
                  p.name(),
                  Patches.apply(
                      store.get(r, p.namespace(), p.name()),
                      patchType(call),
                      Json.MAPPER.readTree(call.body()))));
      default ->
          throw ApiError.methodNotAllowed(
              "method " + call.method() + " not allowed on pods/ephemeralcontainers");
    }
  }

  private static String patchType(Call call) {
    return call.contentType() == null ? "" : call.contentType().split(";")[0].trim();
  }

  /** Pod log/exec/attach/portforward go to the pod's kubelet; true when proxied or answered. */
  private boolean toKubelet(ChannelHandlerContext ctx, FullHttpRequest req, Call call) {
    try {
      String path = kubelets.kubeletPath(req, store);
      if (path == null) {
        return false;
      }
      java.net.InetSocketAddress kubelet = kubelets.kubeletOf(req, store);
      if (kubelet == null) {
        ApiError e =
            new ApiError(
                500, "InternalError", "no kubelet registered for the pod's node", null, null);
        sendJson(ctx, call, 500, e.toStatus(), "application/json");
        return true;
      }
      kubelets.proxy(ctx, req, kubelet, path);
    } catch (ApiError e) {
      sendJson(ctx, call, e.code(), e.toStatus(), "application/json");
    }
    return true;
  }

  private void handle(ChannelHandlerContext ctx, Call call, boolean watch) {
    try {
      route(ctx, call, watch);
    } catch (ApiError e) {
      sendJson(ctx, call, e.code(), e.toStatus(), "application/json");
    } catch (java.io.IOException | ClassCastException e) {
      ApiError bad = ApiError.badRequest("the request body is not valid JSON: " + e.getMessage());
      sendJson(ctx, call, 400, bad.toStatus(), "application/json");
    } catch (RuntimeException e) {
      log.warn("test API server: {} {} failed", call.method(), call.path(), e);
      ApiError err =
          new ApiError(500, "InternalError", "Internal error occurred: " + e, null, null);
      sendJson(ctx, call, 500, err.toStatus(), "application/json");
    }
  }

  private void route(ChannelHandlerContext ctx, Call call, boolean watch)
      throws java.io.IOException {
    String path = call.path();
    switch (path) {
      case "/version", "/version/" -> {
        sendJson(ctx, call, 200, Discovery.version(), "application/json");
        return;
      }
      case "/api", "/api/" -> {
        sendJson(ctx, call, 200, Discovery.apiVersions(serverAddress), "application/json");
        return;
      }
      case "/apis", "/apis/" -> {
        sendJson(ctx, call, 200, Discovery.apiGroupList(), "application/json");
        return;
      }
      case "/openapi/v3", "/openapi/v3/" -> {
        sendJson(ctx, call, 200, Discovery.openApiV3Index(), "application/json");
        return;
      }
      case "/healthz", "/readyz", "/livez" -> {
        sendText(ctx, call, 200, "ok");
        return;
      }
      default -> {}
    }
    if (path.startsWith("/openapi/v3/")) {
      String gv = path.substring("/openapi/v3/".length()).replaceFirst("^apis?/", "");
      Optional<ObjectNode> doc = Discovery.openApiV3(gv);
      if (doc.isPresent()) {
        sendJson(ctx, call, 200, doc.get(), "application/json");
        return;
      }
    }
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (trimmed.matches("/api/[^/]+|/apis/[^/]+/[^/]+")) {
      Optional<ObjectNode> list = Discovery.resourceList(trimmed.replaceFirst("^/apis?/", ""));
      if (list.isPresent()) {
        sendJson(ctx, call, 200, list.get(), "application/json");
        return;
      }
    }
    if (reviews.handles(call.method(), path)) {
      sendJson(ctx, call, 201, reviews.answer(path, bodyObject(call)), "application/json");
      return;
    }
    Optional<ApiPath> parsed = ApiPath.parse(path);
    if (parsed.isEmpty()) {
      throw ApiError.notFoundPath(path);
    }
    resource(ctx, call, parsed.get(), watch);
  }

  private void resource(ChannelHandlerContext ctx, Call call, ApiPath p, boolean watch)
      throws java.io.IOException {
    ApiResource r = p.resource();
    if (call.param("dryRun") != null) {
      throw ApiError.badRequest("dryRun is not supported by the berth test API server");
    }
    if (r.namespaced() && p.name() != null && p.namespace() == null) {
      throw ApiError.notFoundPath(call.path());
    }
    boolean status = "status".equals(p.subresource());
    if (p.name() == null) {
      switch (call.method()) {
        case "GET" -> {
          if (watch) {
            watch(ctx, call, p);
          } else {
            list(ctx, call, p);
          }
        }
        case "POST" -> {
          if (p.namespace() == null && r.namespaced()) {
            throw ApiError.methodNotAllowed(
                "the server does not allow this method on the" + " requested resource");
          }
          ObjectNode created = store.create(r, p.namespace(), bodyObject(call));
          sendObject(ctx, call, 201, r, created);
        }
        case "DELETE" -> {
          Predicate<JsonNode> filter = filter(call, r);
          ObjectStore.ListPage page = store.list(r, p.namespace(), filter, 0, null, null);
          ArrayNode deleted = Json.MAPPER.createArrayNode();
          for (ObjectNode o : page.items()) {
            deleted.add(
                store.delete(
                    r,
                    o.path("metadata").path("namespace").asText(""),
                    o.path("metadata").path("name").asText(),
                    grace(call),
                    null,
                    null));
          }
          sendJson(
              ctx,
              call,
              200,
              listOf(r, deleted, store.resourceVersion(), null, 0),
              "application/json");
        }
        default -> throw ApiError.methodNotAllowed("method " + call.method() + " not allowed");
      }
      return;
    }
    if (ApiPath.EPHEMERAL_CONTAINERS.equals(p.subresource())) {
      ephemeralContainers(ctx, call, p);
      return;
    }
    switch (call.method()) {
      case "GET" -> sendObject(ctx, call, 200, r, store.get(r, p.namespace(), p.name()));
      case "PUT" ->
          sendObject(
              ctx,
              call,
              200,
              r,
              store.update(r, p.namespace(), p.name(), bodyObject(call), status));
      case "PATCH" -> {
        JsonNode patch = Json.MAPPER.readTree(call.body());
        sendObject(
            ctx,
            call,
            200,
            r,
            store.patch(r, p.namespace(), p.name(), patchType(call), patch, status));
      }
      case "DELETE" -> {
        if (status) {
          throw ApiError.methodNotAllowed("DELETE is not allowed on /status");
        }
        JsonNode options =
            call.body().length == 0 ? Json.object() : Json.MAPPER.readTree(call.body());
        Long grace = grace(call);
        if (grace == null && options.has("gracePeriodSeconds")) {
          grace = options.get("gracePeriodSeconds").asLong();
        }
        JsonNode pre = options.path("preconditions");
        sendObject(
            ctx,
            call,
            200,
            r,
            store.delete(
                r,
                p.namespace(),
                p.name(),
                grace,
                pre.path("uid").asText(null),
                pre.path("resourceVersion").asText(null)));
      }
      default -> throw ApiError.methodNotAllowed("method " + call.method() + " not allowed");
    }
  }

  private void list(ChannelHandlerContext ctx, Call call, ApiPath p) {
    ApiResource r = p.resource();
    long limit = call.param("limit") == null ? 0 : Long.parseLong(call.param("limit"));
    Long exact =
        "Exact".equals(call.param("resourceVersionMatch"))
            ? Long.valueOf(call.param("resourceVersion"))
            : null;
    ObjectStore.ListPage page =
        store.list(r, p.namespace(), filter(call, r), limit, call.param("continue"), exact);
    if (call.table()) {
      sendJson(
          ctx,
          call,
          200,
          tables.table(
              r,
              page.items(),
              Long.toString(page.resourceVersion()),
              page.continueToken(),
              call.param("includeObject")),
          TABLE_TYPE);
      return;
    }
    ArrayNode items = Json.MAPPER.createArrayNode();
    for (ObjectNode o : page.items()) {
      ObjectNode item = Json.object();
      item.setAll(o);
      item.remove("kind");
      item.remove("apiVersion");
      items.add(item);
    }
    sendJson(
        ctx,
        call,
        200,
        listOf(r, items, page.resourceVersion(), page.continueToken(), page.remaining()),
        "application/json");
  }

  private void watch(ChannelHandlerContext ctx, Call call, ApiPath p) {
    ApiResource r = p.resource();
    Predicate<JsonNode> filter = filter(call, r);
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers()
        .set(
            HttpHeaderNames.CONTENT_TYPE,
            call.table() ? TABLE_TYPE + ";stream=watch" : "application/json");
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    ctx.writeAndFlush(head);
    String includeObject = call.param("includeObject");
    UnaryOperator<ObjectNode> render =
        call.table()
            ? o ->
                tables.table(
                    r,
                    List.of(o),
                    o.path("metadata").path("resourceVersion").asText(),
                    null,
                    includeObject)
            : o -> o;
    WatchStream stream = new WatchStream(ctx, r, render, faults, call.keepAlive());
    long timeout =
        call.param("timeoutSeconds") == null ? 1800 : Long.parseLong(call.param("timeoutSeconds"));
    boolean bookmarks = "true".equals(call.param("allowWatchBookmarks"));
    ObjectStore.Watch w =
        store.watch(r, p.namespace(), filter, call.param("resourceVersion"), stream);
    stream.attach(w, timeout, bookmarks ? bookmarkMillis : 0);
  }

  private static Predicate<JsonNode> filter(Call call, ApiResource r) {
    return Selectors.labels(call.param("labelSelector"))
        .and(Selectors.fields(call.param("fieldSelector"), r));
  }

  private static Long grace(Call call) {
    String g = call.param("gracePeriodSeconds");
    return g == null ? null : Long.valueOf(g);
  }

  private static ObjectNode bodyObject(Call call) throws java.io.IOException {
    JsonNode body = Json.MAPPER.readTree(call.body());
    if (!(body instanceof ObjectNode o)) {
      throw ApiError.badRequest("the request body must be a JSON object");
    }
    return o;
  }

  private static ObjectNode listOf(
      ApiResource r, ArrayNode items, long resourceVersion, String continueToken, long remaining) {
    ObjectNode list = Json.object();
    list.put("kind", r.kind() + "List");
    list.put("apiVersion", r.apiVersion());
    ObjectNode meta = list.putObject("metadata");
    meta.put("resourceVersion", Long.toString(resourceVersion));
    if (continueToken != null) {
      meta.put("continue", continueToken);
      meta.put("remainingItemCount", remaining);
    }
    list.set("items", items);
    return list;
  }

  private void sendObject(
      ChannelHandlerContext ctx, Call call, int code, ApiResource r, ObjectNode o) {
    if (call.table()) {
      sendJson(
          ctx,
          call,
          code,
          tables.table(
              r,
              List.of(o),
              o.path("metadata").path("resourceVersion").asText(),
              null,
              call.param("includeObject")),
          TABLE_TYPE);
    } else {
      sendJson(ctx, call, code, o, "application/json");
    }
  }

  private void sendJson(
      ChannelHandlerContext ctx, Call call, int code, JsonNode body, String contentType) {
    try {
      send(ctx, call, code, Json.MAPPER.writeValueAsBytes(body), contentType);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a response", e);
    }
  }

  private void sendText(ChannelHandlerContext ctx, Call call, int code, String text) {
    send(ctx, call, code, text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
  }

  private void send(
      ChannelHandlerContext ctx, Call call, int code, byte[] body, String contentType) {
    FullHttpResponse resp =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code), Unpooled.wrappedBuffer(body));
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (code == 429) {
      resp.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    }
    requestLog.sent(body.length);
    if (call.keepAlive()) {
      resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(resp);
    } else {
      ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("test API server connection error", cause);
    ctx.close();
  }
}
