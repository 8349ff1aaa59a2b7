package io.berth.agent.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static pods from a manifest URL ({@code --manifest-url}, {@code --manifest-url-header}), as the
 * kubelet's HTTP source ({@code pkg/kubelet/config/http.go}): a GET every period returning a Pod or
 * a PodList, JSON or YAML.
 *
 * <ul>
 *   <li>Success (200 and a valid body) sends the pods as a {@link SourceSnapshot}; the source is
 *       then seen. An unchanged body is not parsed again.
 *   <li>A 200 with an empty body means "no pods", as in the kubelet: an empty snapshot.
 *   <li>Any failure (connection, timeout, non-200, too large, undecodable, invalid; one invalid pod
 *       rejects the whole list as in the kubelet) changes no pod: the last good state stays.
 *       Undecodable or invalid bodies are listed in {@link PodConfig#rejectedManifests()}. Failures
 *       are retried with exponential back-off from 1 s up to the period.
 * </ul>
 *
 * <p>Thread safety: {@link #pollOnce()} is serialized; the poll thread is the only other caller.
 */
public final class UrlSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UrlSource.class);
  private static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);

  private final URI url;
  private final Map<String, List<String>> headers;
  private final HttpClient client;
  private final Duration requestTimeout;
  private final Duration period;
  private final ManifestReader reader;
  private final SnapshotSink sink;
  private final Clock clock;
  private byte[] lastBody;
  private RejectedManifest rejection;
  private int failures;
  private Instant nextPoll;
  private volatile Thread thread;

  /** The outcome of one poll. */
  public sealed interface PollResult {
    /** The body was read and its pods (possibly none) sent. */
    record Synced(int pods) implements PollResult {}

    /** The body is the same as last time; nothing to do. */
    record Unchanged() implements PollResult {}

    /** Nothing changed because of this failure; retry after {@code retryAfter}. */
    record Failed(String reason, Duration retryAfter) implements PollResult {}
  }

  /**
   * @param headers extra request headers (e.g. from {@code --manifest-url-header})
   * @param requestTimeout whole-request timeout (the kubelet uses 10 s)
   * @param period poll period when healthy (the kubelet's {@code --http-check-frequency}, 20 s)
   */
  public UrlSource(
      URI url,
      Map<String, List<String>> headers,
      HttpClient client,
      Duration requestTimeout,
      Duration period,
      ManifestReader reader,
      SnapshotSink sink,
      Clock clock) {
    this.url = Objects.requireNonNull(url, "url");
    this.headers = Map.copyOf(headers);
    this.client = Objects.requireNonNull(client, "client");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    this.period = Objects.requireNonNull(period, "period");
    this.reader = Objects.requireNonNull(reader, "reader");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.nextPoll = clock.instant();
    HttpRequest.Builder probe = HttpRequest.newBuilder(url);
    this.headers.forEach(
        (name, values) -> {
          try {
            values.forEach(v -> probe.header(name, v));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "manifest URL header " + name + " cannot be sent: " + e.getMessage(), e);
          }
        });
    sink.register(ConfigSource.HTTP);
  }

  /** When the next poll is due. */
  public synchronized Instant nextPoll() {
    return nextPoll;
  }

  /** Fetches the URL once and delivers the result. Never throws for a remote failure. */
  public synchronized PollResult pollOnce() throws InterruptedException {
    byte[] body;
    try {
      body = fetch();
    } catch (IOException | RuntimeException e) {
      return fail("GET " + url + " failed: " + e, false);
    }
    if (body.length > ManifestDecoder.MAX_MANIFEST_BYTES) {
      return fail(
          "response from "
              + url
              + " is larger than "
              + ManifestDecoder.MAX_MANIFEST_BYTES
              + " bytes",
          true);
    }
    if (body.length == 0) {
      lastBody = body;
      rejection = null;
      recovered();
      sink.merge(new SourceSnapshot(ConfigSource.HTTP, List.of(), List.of()));
      log.warn("Zero-length response from {}: no static pods from the URL", url);
      return new PollResult.Synced(0);
    }
    if (lastBody != null && Arrays.equals(lastBody, body) && rejection == null) {
      recovered();
      return new PollResult.Unchanged();
    }
    return switch (reader.read(body, ConfigSource.HTTP, url.toString())) {
      case ManifestReader.Result.Accepted a -> {
        lastBody = body;
        rejection = null;
        recovered();
        sink.merge(new SourceSnapshot(ConfigSource.HTTP, a.pods(), List.of()));
        yield new PollResult.Synced(a.pods().size());
      }
      case ManifestReader.Result.Rejected r -> fail(url + ": " + r.reason(), true);
    };
  }

  /**
   * GET with the whole exchange, body included, bounded by {@link #requestTimeout} (the JDK's
   * request timeout alone stops at the response headers).
   */
  private byte[] fetch() throws IOException, InterruptedException {
    HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(requestTimeout).GET();
    headers.forEach((name, values) -> values.forEach(v -> req.header(name, v)));
    long deadline = System.nanoTime() + requestTimeout.toNanos();
    HttpResponse<InputStream> resp;
    try {
      resp =
          client
              .sendAsync(req.build(), HttpResponse.BodyHandlers.ofInputStream())
              .get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause() == null ? e.toString() : e.getCause().toString(), e);
    } catch (TimeoutException e) {
      throw new IOException("no response within " + requestTimeout, e);
    }
    InputStream in = resp.body();
    try (in) {
      if (resp.statusCode() != 200) {
        throw new IOException("HTTP status " + resp.statusCode());
      }
      CompletableFuture<byte[]> read = new CompletableFuture<>();
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  read.complete(in.readNBytes(ManifestDecoder.MAX_MANIFEST_BYTES + 1));
                } catch (IOException | RuntimeException e) {
                  read.completeExceptionally(e);
                }
              });
      return read.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new IOException("reading the body failed: " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw new IOException("body not received within " + requestTimeout, e);
    }
  }

  private PollResult fail(String reason, boolean recordRejection) {
    failures++;
    long factor = 1L << Math.min(failures - 1, 20);
    Duration backoff = INITIAL_BACKOFF.multipliedBy(factor);
    if (backoff.compareTo(period) > 0) {
      backoff = period;
    }
    nextPoll = clock.instant().plus(backoff);
    if (recordRejection) {
      if (rejection == null || !rejection.reason().equals(reason)) {
        rejection =
            new RejectedManifest(ConfigSource.HTTP, url.toString(), reason, clock.instant());
      }
      sink.reportRejected(ConfigSource.HTTP, List.of(rejection));
    }
    // The kubelet logs the first three failures, then drops to a lower level.
    if (failures <= 3) {
      log.warn(
          "Failed to read pods from URL (keeping the last good state, retry in {}): {}",
          backoff,
          reason);
    } else {
      log.debug("Failed to read pods from URL (retry in {}): {}", backoff, reason);
    }
    return new PollResult.Failed(reason, backoff);
  }

  private void recovered() {
    if (failures > 0) {
      log.info("Successfully read pods from URL {} again", url);
      sink.reportRejected(ConfigSource.HTTP, List.of());
    }
    failures = 0;
    nextPoll = clock.instant().plus(period);
  }

  /** The pods last accepted from the URL are held by {@link PodConfig}; this is for logs. */
  @Override
  public String toString() {
    return "UrlSource[" + url + "]";
  }

  /** Starts the poll thread: polls now, then at {@link #nextPoll()}. */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException(this + " already started");
    }
    thread = Thread.ofPlatform().daemon().name("berth-url-source").start(this::runLoop);
  }

  private void runLoop() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        long wait = Duration.between(clock.instant(), nextPoll()).toMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        pollOnce();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.error("{} poll failed unexpectedly; retrying after the period", this, e);
        synchronized (this) {
          nextPoll = clock.instant().plus(period);
        }
      }
    }
  }

  /** Stops the poll thread and waits for it. */
  @Override
  public void close() {
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
