package io.berth.agent.server;

import io.berth.agent.http.HttpReply;
import io.berth.agent.http.HttpRequestView;
import io.berth.agent.http.HttpRoutes;
import io.berth.cri.CriException;
import io.berth.cri.StreamingRequest;
import io.berth.cri.StreamingUrl;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node API's request path after parsing: authenticate, authorize (the kubelet's {@code
 * nodes/<subresource>} model), then route: berth's local routes (the same as on 10248), {@code
 * /runningpods/}, {@code /containerLogs/}, {@code /logs/}, and {@code /exec}, {@code /attach},
 * {@code /portForward} proxied to the runtime's streaming server.
 *
 * <p>Answers never repeat what the client sent: errors carry a short fixed reason, details go to
 * berth's log. Runs on a virtual thread per request; thread-safe.
 */
final class NodeApiRoutes {
  private static final Logger log = LoggerFactory.getLogger(NodeApiRoutes.class);
  private static final String TEXT = HttpReply.TEXT;

  /** What the routes are made of. */
  record Parts(
      String nodeName,
      RequestAuthenticator authenticator,
      NodeAuthorizer authorizer,
      HttpRoutes localRoutes,
      NodeContainers containers,
      ContainerLogWriter logWriter,
      NodeLogDirectory nodeLogs,
      Clock clock) {}

  private final Parts parts;
  private final Semaphore streams;

  NodeApiRoutes(Parts parts, int maxStreams) {
    this.parts = parts;
    this.streams = new Semaphore(maxStreams);
  }

  void handle(Exchange ex) {
    try {
      Optional<UserInfo> user = authenticate(ex);
      if (user.isEmpty()) {
        return;
      }
      NodeRequestAttributes attrs =
          NodeRequestAttributes.of(ex.method(), ex.path(), parts.nodeName());
      NodeAuthorizer.Decision d;
      try {
        d = parts.authorizer().authorize(user.get(), attrs);
      } catch (NodeApiException.Unavailable e) {
        log.warn(
            "node API: cannot authorize {} for {}: {}", attrs, user.get().name(), e.getMessage());
        text(ex, 500, "Authorization error\n");
        return;
      }
      if (!d.allowed()) {
        log.info("node API: {} denied for {} ({})", attrs, user.get().name(), d.reason());
        text(
            ex,
            403,
            "Forbidden (verb="
                + attrs.verb()
                + ", resource=nodes, subresource="
                + attrs.subresource()
                + ")\n");
        return;
      }
      route(ex);
    } catch (NodeApiException.BadRequest e) {
      text(ex, 400, e.getMessage() + "\n");
    } catch (RuntimeException | IOException e) {
      log.warn("node API: {} {} failed", ex.method(), ex.path(), e);
      text(ex, 500, "internal error\n");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      text(ex, 503, "shutting down\n");
    }
  }

  private Optional<UserInfo> authenticate(Exchange ex) {
    Authentication a;
    try {
      a = parts.authenticator().authenticate(ex.peerCertificates(), ex.header("Authorization"));
    } catch (NodeApiException.Unavailable e) {
      log.warn("node API: cannot review a bearer token: {}", e.getMessage());
      a = new Authentication.Refused("token review unavailable");
    }
    return switch (a) {
      case Authentication.Authenticated ok -> Optional.of(ok.user());
      case Authentication.Refused r -> {
        log.debug("node API: {} {} unauthenticated: {}", ex.method(), ex.path(), r.why());
        text(ex, 401, "Unauthorized\n");
        yield Optional.empty();
      }
    };
  }

  private void route(Exchange ex) throws IOException, InterruptedException {
    String path = ex.path();
    String method = ex.method();
    Optional<NodePaths> pod = NodePaths.parse(path);
    if (pod.isPresent() && !pod.get().kind().equals("containerLogs")) {
      if (!method.equals("GET") && !method.equals("POST")) {
        text(ex, 405, "method not allowed\n");
        return;
      }
      streaming(ex, pod.get());
      return;
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      text(ex, 405, "method not allowed\n");
      return;
    }
    if (pod.isPresent()) {
      containerLogs(ex, pod.get());
      return;
    }
    if (path.equals("/runningpods/") || path.equals("/runningpods")) {
      ex.reply(
          200, HttpReply.JSON, parts.containers().runningPods().getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (path.equals("/logs") || path.startsWith("/logs/")) {
      nodeLogs(ex, path.equals("/logs") ? "" : path.substring("/logs/".length()));
      return;
    }
    var handler = parts.localRoutes().handler(path);
    if (handler.isEmpty()) {
      text(ex, 404, "not found\n");
      return;
    }
    HttpReply r;
    try {
      r =
          handler
              .get()
              .handle(new HttpRequestView(method, path, ex.query(), ex.header("Accept-Encoding")));
    } catch (Exception e) {
      log.warn("node API: handler for {} failed", path, e);
      r = HttpReply.text(500, "internal error\n");
    }
    ex.reply(r);
  }

  private void containerLogs(Exchange ex, NodePaths p) throws InterruptedException {
    ContainerLogOptions options = ContainerLogOptions.parse(ex.query(), parts.clock());
    Optional<Path> file;
    try {
      file = parts.containers().logFile(p.namespace(), p.pod(), p.container(), options.previous());
    } catch (CriException e) {
      log.debug(
          "node API: no log file for {}/{}/{}: {}",
          p.namespace(),
          p.pod(),
          p.container(),
          e.getMessage());
      file = Optional.empty();
    }
    if (file.isEmpty()) {
      text(
          ex,
          404,
          options.previous()
              ? "previous terminated container not found\n"
              : "container not found\n");
      return;
    }
    boolean follow = options.follow() && !options.previous();
    if (follow && !streams.tryAcquire()) {
      text(ex, 429, "too many streams\n");
      return;
    }
    try {
      Exchange.Stream out = ex.stream(TEXT, -1);
      try {
        parts
            .logWriter()
            .write(
                file.get(),
                options,
                out,
                () ->
                    parts
                        .containers()
                        .container(p.namespace(), p.pod(), p.container())
                        .map(NodeContainers.Located::running)
                        .orElse(false));
      } finally {
        out.end();
      }
    } finally {
      if (follow) {
        streams.release();
      }
    }
  }

  private void nodeLogs(Exchange ex, String relative) throws IOException {
    Optional<NodeLogDirectory.Entry> entry = parts.nodeLogs().resolve(relative);
    if (entry.isEmpty()) {
      text(ex, 404, "not found\n");
      return;
    }
    switch (entry.get()) {
      case NodeLogDirectory.Entry.Directory d ->
          ex.reply(200, TEXT, d.listing().getBytes(StandardCharsets.UTF_8));
      case NodeLogDirectory.Entry.File f -> {
        Exchange.Stream out = ex.stream("application/octet-stream", f.size());
        try (InputStream in = Files.newInputStream(f.path())) {
          byte[] buf = new byte[64 * 1024];
          long left = f.size();
          int n;
          while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
            left -= n;
            if (!out.write(java.util.Arrays.copyOf(buf, n))) {
              break;
            }
          }
        } finally {
          out.end();
        }
      }
    }
  }

  private void streaming(Exchange ex, NodePaths p) {
    if (!ex.isUpgrade()) {
      text(ex, 400, "an upgrade to a streaming protocol (SPDY or WebSocket) is required\n");
      return;
    }
    if (!streams.tryAcquire()) {
      text(ex, 429, "too many streams\n");
      return;
    }
    boolean handedOver = false;
    try {
      Optional<StreamingUrl> url = session(ex, p);
      if (url.isEmpty()) {
        return;
      }
      URI target = URI.create(url.get().url());
      if (!"http".equals(target.getScheme()) || target.getHost() == null) {
        log.warn("node API: the runtime's streaming URL is not absolute http: {}", target);
        text(ex, 500, "internal error\n");
        return;
      }
      ex.upgrade(target, streams::release);
      handedOver = true;
    } finally {
      if (!handedOver) {
        streams.release();
      }
    }
  }

  private Optional<StreamingUrl> session(Exchange ex, NodePaths p) {
    var q = ex.query();
    try {
      if (p.kind().equals("portForward")) {
        Optional<String> sandbox = parts.containers().sandbox(p.namespace(), p.pod());
        if (sandbox.isEmpty()) {
          text(ex, 404, "pod not found\n");
          return Optional.empty();
        }
        List<Integer> ports = new ArrayList<>();
        for (String port : q.getOrDefault("port", List.of())) {
          try {
            int n = Integer.parseInt(port);
            if (n < 1 || n > 65535) {
              throw new NumberFormatException();
            }
            ports.add(n);
          } catch (NumberFormatException e) {
            throw new NodeApiException.BadRequest("port must be a number between 1 and 65535");
          }
        }
        return Optional.of(parts.containers().runtime().portForward(sandbox.get(), ports));
      }
      Optional<NodeContainers.Located> c =
          parts.containers().container(p.namespace(), p.pod(), p.container());
      if (c.isEmpty() || !c.get().running()) {
        text(ex, 404, "container not found or not running\n");
        return Optional.empty();
      }
      boolean tty = ContainerLogOptions.bool(q, "tty");
      boolean stdin = ContainerLogOptions.bool(q, "stdin");
      boolean stdout = ContainerLogOptions.bool(q, "stdout");
      boolean stderr = ContainerLogOptions.bool(q, "stderr") && !tty;
      if (!stdin && !stdout && !stderr) {
        throw new NodeApiException.BadRequest(
            "at least one of stdin, stdout or stderr is required");
      }
      if (p.kind().equals("exec")) {
        List<String> command = q.getOrDefault("command", List.of());
        if (command.isEmpty()) {
          throw new NodeApiException.BadRequest("command is required");
        }
        return Optional.of(
            parts
                .containers()
                .runtime()
                .exec(new StreamingRequest(c.get().id(), command, tty, stdin, stdout, stderr)));
      }
      return Optional.of(
          parts
              .containers()
              .runtime()
              .attach(new StreamingRequest(c.get().id(), List.of(), tty, stdin, stdout, stderr)));
    } catch (CriException e) {
      log.warn(
          "node API: {} for {}/{} failed at the runtime: {}",
          p.kind(),
          p.namespace(),
          p.pod(),
          e.getMessage());
      text(ex, 500, "the container runtime could not prepare the session\n");
      return Optional.empty();
    }
  }

  private static void text(Exchange ex, int status, String body) {
    ex.reply(status, TEXT, body.getBytes(StandardCharsets.UTF_8));
  }
}
