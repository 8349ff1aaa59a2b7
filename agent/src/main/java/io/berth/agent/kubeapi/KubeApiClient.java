package io.berth.agent.kubeapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thin Kubernetes API client on the JDK HTTP client and Jackson (chosen over fabric8's client and
 * client-java for footprint: MACHINE-NOTES measured 2.4 MB of jars, ~100 MB RSS for 100 pods). JSON
 * in and out; callers map to fabric8 model classes. Every request passes the QPS/burst limiter; 429
 * answers are retried after Retry-After (up to 10 times, as client-go does); other errors surface
 * as {@link ApiException}. HTTP/2 is offered on https (ALPN), HTTP/1.1 on http.
 *
 * <p>Thread-safe.
 */
public final class KubeApiClient {
  /** The patch formats the API server accepts from berth. */
  public enum PatchType {
    MERGE("application/merge-patch+json"),
    JSON("application/json-patch+json"),
    STRATEGIC("application/strategic-merge-patch+json");

    final String contentType;

    PatchType(String contentType) {
      this.contentType = contentType;
    }
  }

  private static final int MAX_429_RETRIES = 10;

  private final URI server;
  private final HttpClient http;
  private final BearerToken token;
  private final RateLimiter limiter;
  private final RateLimiter.Sleeper sleeper;
  private final Duration requestTimeout;
  private final String userAgent;
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong bytesReceived = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();

  public KubeApiClient(
      Kubeconfig config,
      BearerToken token,
      RateLimiter limiter,
      RateLimiter.Sleeper sleeper,
      Duration requestTimeout,
      String userAgent)
      throws GeneralSecurityException {
    this.server = config.server();
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER);
    if ("https".equals(server.getScheme())) {
      b.sslContext(ApiTls.context(config)).version(HttpClient.Version.HTTP_2);
    } else {
      b.version(HttpClient.Version.HTTP_1_1);
    }
    this.http = b.build();
    this.token = token;
    this.limiter = limiter;
    this.sleeper = sleeper;
    this.requestTimeout = requestTimeout;
    this.userAgent = userAgent;
  }

  /** The kubelet's defaults: 50 QPS, burst 100, 30 s per request, token file re-read. */
  public static KubeApiClient create(Kubeconfig config, Clock clock, String userAgent)
      throws GeneralSecurityException {
    return create(config, clock, userAgent, 50, 100);
  }

  /**
   * As the kubelet's client: {@code qps} and {@code burst} ({@code kubeAPIQPS}, {@code
   * kubeAPIBurst}), 30 s per request, token file re-read.
   */
  public static KubeApiClient create(
      Kubeconfig config, Clock clock, String userAgent, double qps, int burst)
      throws GeneralSecurityException {
    return new KubeApiClient(
        config,
        new BearerToken(config.token(), config.tokenFile(), clock),
        new RateLimiter(qps, burst, clock, RateLimiter.Sleeper.THREAD),
        RateLimiter.Sleeper.THREAD,
        Duration.ofSeconds(30),
        userAgent);
  }

  /**
   * The kubelet's heartbeat client (node status and lease): no rate limit, so that a busy {@code
   * kubeAPIQPS} never delays a heartbeat, and {@code timeout} per request (the kubelet: the shorter
   * of the status update frequency and the lease duration).
   */
  public static KubeApiClient heartbeat(
      Kubeconfig config, Clock clock, String userAgent, Duration timeout)
      throws GeneralSecurityException {
    return new KubeApiClient(
        config,
        new BearerToken(config.token(), config.tokenFile(), clock),
        RateLimiter.unlimited(clock, RateLimiter.Sleeper.THREAD),
        RateLimiter.Sleeper.THREAD,
        timeout,
        userAgent);
  }

  public ObjectMapper json() {
    return json;
  }

  public JsonNode get(String path) throws ApiException, InterruptedException {
    return send("GET", path, null, null);
  }

  public JsonNode create(String collectionPath, Object body)
      throws ApiException, InterruptedException {
    return send("POST", collectionPath, body, "application/json");
  }

  public JsonNode update(String path, Object body) throws ApiException, InterruptedException {
    return send("PUT", path, body, "application/json");
  }

  public JsonNode patch(String path, PatchType type, Object body)
      throws ApiException, InterruptedException {
    return send("PATCH", path, body, type.contentType);
  }

  /** DELETE with {@code gracePeriodSeconds} (null: the server's default). */
  public JsonNode delete(String path, Long gracePeriodSeconds)
      throws ApiException, InterruptedException {
    return delete(path, gracePeriodSeconds, null);
  }

  /**
   * DELETE with {@code gracePeriodSeconds} (null: the server's default) and a uid precondition
   * (null: none), so a pod recreated under the same name is never deleted by mistake.
   */
  public JsonNode delete(String path, Long gracePeriodSeconds, String uid)
      throws ApiException, InterruptedException {
    com.fasterxml.jackson.databind.node.ObjectNode options = json.createObjectNode();
    options.put("kind", "DeleteOptions");
    options.put("apiVersion", "v1");
    if (gracePeriodSeconds != null) {
      options.put("gracePeriodSeconds", gracePeriodSeconds);
    }
    if (uid != null) {
      options.putObject("preconditions").put("uid", uid);
    }
    return send("DELETE", path, options, "application/json");
  }

  /** Opens a watch; read it with {@link WatchConnection#next()}. */
  public WatchConnection watch(String pathWithQuery) throws ApiException, InterruptedException {
    String what = "GET " + pathWithQuery;
    limiter.acquire();
    requests.incrementAndGet();
    HttpResponse<InputStream> resp;
    try {
      resp =
          http.send(
              request(pathWithQuery).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new ApiException(0, "", "cannot reach the API server: " + e, what, e);
    }
    if (resp.statusCode() != 200) {
      byte[] body;
      try (InputStream in = resp.body()) {
        body = in.readAllBytes();
      } catch (IOException e) {
        body = new byte[0];
      }
      throw error(resp.statusCode(), body, what);
    }
    return new WatchConnection(resp.body(), what);
  }

  /** An open watch stream (one per watch request); not thread-safe. */
  public final class WatchConnection implements AutoCloseable {
    private final InputStream body;
    private final BufferedReader reader;
    private final String what;

    private WatchConnection(InputStream body, String what) {
      this.body = body;
      this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
      this.what = what;
    }

    /**
     * The next event; empty when the server ended the stream cleanly. A broken stream or a
     * half-written line is an {@link ApiException} with code 0.
     */
    public Optional<WatchEvent> next() throws ApiException {
      String line;
      try {
        line = reader.readLine();
      } catch (IOException e) {
        throw new ApiException(0, "", "watch stream broken: " + e, what, e);
      }
      if (line == null) {
        return Optional.empty();
      }
      bytesReceived.addAndGet(line.length() + 1);
      try {
        JsonNode node = json.readTree(line);
        String type = node.path("type").asText("");
        if (type.isEmpty() || !node.has("object")) {
          throw new ApiException(0, "", "watch event without type or object: " + line, what, null);
        }
        return Optional.of(new WatchEvent(type, node.get("object")));
      } catch (JsonProcessingException e) {
        throw new ApiException(
            0, "", "watch stream cut inside an event: " + e.getOriginalMessage(), what, e);
      }
    }

    @Override
    public void close() {
      try {
        body.close();
      } catch (IOException e) {
        // closing a stream the server already cut: nothing left to release
      }
    }
  }

  /** Requests sent so far (including watches and retries). */
  public long requestCount() {
    return requests.get();
  }

  /** Request body bytes sent so far (creates, updates, patches; retries included). */
  public long bytesSent() {
    return bytesSent.get();
  }

  /** Response body bytes received so far (watch lines included). */
  public long bytesReceived() {
    return bytesReceived.get();
  }

  private JsonNode send(String method, String path, Object body, String contentType)
      throws ApiException, InterruptedException {
    String what = method + " " + path;
    byte[] payload;
    try {
      payload =
          body == null
              ? null
              : body instanceof String s
                  ? s.getBytes(StandardCharsets.UTF_8)
                  : json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new ApiException(0, "", "cannot serialize the request body: " + e, what, e);
    }
    for (int attempt = 0; ; attempt++) {
      limiter.acquire();
      requests.incrementAndGet();
      bytesSent.addAndGet(payload == null ? 0 : payload.length);
      HttpRequest.Builder b = request(path).timeout(requestTimeout);
      if (payload != null) {
        b.header("Content-Type", contentType);
      }
      b.method(
          method,
          payload == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(payload));
      HttpResponse<byte[]> resp;
      try {
        resp = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        throw new ApiException(0, "", "cannot reach the API server: " + e, what, e);
      }
      bytesReceived.addAndGet(resp.body().length);
      int code = resp.statusCode();
      if (code == 429 && attempt < MAX_429_RETRIES) {
        long seconds = resp.headers().firstValueAsLong("Retry-After").orElse(1);
        sleeper.sleep(Duration.ofSeconds(Math.max(1, seconds)));
        continue;
      }
      if (code >= 200 && code < 300) {
        try {
          return json.readTree(resp.body());
        } catch (IOException e) {
          throw new ApiException(code, "", "unreadable response: " + e, what, e);
        }
      }
      throw error(code, resp.body(), what);
    }
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.resolve(path))
            .header("Accept", "application/json")
            .header("User-Agent", userAgent);
    token.current().ifPresent(t -> b.header("Authorization", "Bearer " + t));
    return b;
  }

  private ApiException error(int code, byte[] body, String what) {
    String reason = "";
    String message = new String(body, StandardCharsets.UTF_8);
    try {
      JsonNode status = json.readTree(body);
      if (status != null && "Status".equals(status.path("kind").asText())) {
        reason = status.path("reason").asText("");
        message = status.path("message").asText(message);
      }
    } catch (IOException e) {
      // not a Status: keep the raw body as the message
    }
    return new ApiException(code, reason, message, what, null);
  }
}
