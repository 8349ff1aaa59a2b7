package io.berth.agent.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * client-go's reflector + shared informer for one resource and selector: list (paged), then watch
 * from the list's resourceVersion with bookmarks; a cleanly ended or broken stream is re-watched
 * from the last version seen (so nothing is lost), a 410 Gone re-lists and emits only the real
 * differences ({@link InformerCache}); failures back off exponentially with jitter. The handler
 * gets {@link InformerEvent}s in order, one at a time, on the informer's thread (or on the resync
 * caller's: {@link #resync()} is serialized with them).
 *
 * <pre>
 *   list ──▶ replace(view) ──▶ watch(rv) ──event──▶ apply(view) ──▶ handler
 *     ▲                          │  ▲ clean end / broken: re-watch from last rv (after back-off)
 *     └──── 410 Gone ────────────┘  └─────────────────────────────────┘
 * </pre>
 */
public final class Informer<T extends HasMetadata> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Informer.class);
  private static final int PAGE = 500;

  /**
   * @param path the collection (with namespace, or none for all namespaces/cluster-scoped)
   * @param labelSelector label selector or null
   * @param fieldSelector field selector (e.g. {@code spec.nodeName=NODE}) or null
   * @param watchTimeout the server-side timeout of each watch; randomized up to twice as long
   *     (client-go: 5 min)
   * @param resyncPeriod how often {@link #resync()} runs; zero for never (the kubelet's pod source
   *     does not resync)
   */
  public record Options(
      ResourcePath path,
      String labelSelector,
      String fieldSelector,
      Duration watchTimeout,
      Duration resyncPeriod) {
    /** Without resync. */
    public Options(
        ResourcePath path, String labelSelector, String fieldSelector, Duration watchTimeout) {
      this(path, labelSelector, fieldSelector, watchTimeout, Duration.ZERO);
    }
  }

  /** Receives an informer's events, one at a time. */
  @FunctionalInterface
  public interface Handler<T> {
    void onEvent(InformerEvent<T> event);

    /** After each full list has been delivered, also when it changed nothing. */
    default void onListed() {}
  }

  private final KubeApiClient client;
  private final Class<T> type;
  private final Options options;
  private final Handler<T> handler;
  private final RetryBackoff backoff;
  private final RateLimiter.Sleeper sleeper;
  private final InformerCache<T> cache = new InformerCache<>();
  private final CountDownLatch synced = new CountDownLatch(1);
  private final Object delivery = new Object();
  private volatile boolean running;
  private volatile KubeApiClient.WatchConnection current;
  private volatile String lastVersion = "";
  private Thread thread;
  private java.util.concurrent.ScheduledExecutorService resyncTimer;
  private long relists;

  public Informer(
      KubeApiClient client,
      Class<T> type,
      Options options,
      Handler<T> handler,
      RetryBackoff backoff,
      RateLimiter.Sleeper sleeper) {
    this.client = client;
    this.type = type;
    this.options = options;
    this.handler = handler;
    this.backoff = backoff;
    this.sleeper = sleeper;
  }

  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException(
          "informer for " + options.path().collection() + " already started");
    }
    running = true;
    thread =
        Thread.ofPlatform().daemon().name("informer-" + options.path().resource()).start(this::run);
  }

  /** True once the first list has been delivered to the handler. */
  public boolean hasSynced() {
    return synced.getCount() == 0;
  }

  public boolean awaitSynced(Duration timeout) throws InterruptedException {
    return synced.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The current view, in no particular order. */
  public List<T> list() {
    return cache.list();
  }

  public Optional<T> get(String namespaceSlashName) {
    return cache.get(namespaceSlashName);
  }

  /** The resourceVersion the next watch starts from. */
  public String lastSyncResourceVersion() {
    return lastVersion;
  }

  /** How many full lists were made (1 + one per 410 Gone). */
  public synchronized long relists() {
    return relists;
  }

  /** Sends Updated(o, o) for every object (the handler's periodic resync). */
  public void resync() {
    synchronized (delivery) {
      deliver(cache.resync());
    }
  }

  private void run() {
    while (running) {
      try {
        relist();
        watchFromLastVersion();
      } catch (InterruptedException e) {
        break;
      }
    }
  }

  /** Lists (paged) until it succeeds; the list's resourceVersion becomes the last version. */
  private void relist() throws InterruptedException {
    while (running) {
      try {
        List<T> items = new ArrayList<>();
        String continueToken = null;
        String version;
        do {
          Map<String, String> q = selectors();
          q.put("limit", Integer.toString(PAGE));
          q.put("continue", continueToken);
          JsonNode page = client.get(ResourcePath.withQuery(options.path().collection(), q));
          for (JsonNode item : page.path("items")) {
            items.add(decode(item));
          }
          version = page.path("metadata").path("resourceVersion").asText();
          continueToken = page.path("metadata").path("continue").asText("");
          continueToken = continueToken.isEmpty() ? null : continueToken;
        } while (continueToken != null);
        synchronized (delivery) {
          deliver(cache.replace(items));
          lastVersion = version;
          try {
            handler.onListed();
          } catch (RuntimeException ex) {
            log.error(
                "informer handler for {} failed after a list", options.path().collection(), ex);
          }
        }
        synchronized (this) {
          relists++;
        }
        synced.countDown();
        return;
      } catch (ApiException e) {
        Duration wait = backoff.next();
        log.warn(
            "listing {} failed, retrying in {} ms: {}",
            options.path().collection(),
            wait.toMillis(),
            e.getMessage());
        sleeper.sleep(wait);
      }
    }
    throw new InterruptedException("informer stopped");
  }

  /** Watches until a 410 Gone (return: re-list) or stop; re-watches after ends and breaks. */
  private void watchFromLastVersion() throws InterruptedException {
    while (running) {
      Map<String, String> q = selectors();
      q.put("watch", "true");
      q.put("resourceVersion", lastVersion);
      q.put("allowWatchBookmarks", "true");
      long timeout = options.watchTimeout().toSeconds();
      q.put(
          "timeoutSeconds",
          Long.toString(timeout + ThreadLocalRandom.current().nextLong(Math.max(1, timeout))));
      try (KubeApiClient.WatchConnection w =
          client.watch(ResourcePath.withQuery(options.path().collection(), q))) {
        current = w;
        Optional<WatchEvent> next;
        while (running && (next = w.next()).isPresent()) {
          WatchEvent event = next.get();
          switch (event.type()) {
            case "ADDED", "MODIFIED", "DELETED" -> {
              T object = decode(event.object());
              synchronized (delivery) {
                deliver(cache.apply(event.type(), object));
                lastVersion = event.resourceVersion();
              }
              backoff.reset();
            }
            case "BOOKMARK" -> lastVersion = event.resourceVersion();
            case "ERROR" -> {
              int code = event.object().path("code").asInt();
              if (code == 410) {
                log.info(
                    "watch of {} from {} expired (410), listing again",
                    options.path().collection(),
                    lastVersion);
                return;
              }
              throw new ApiException(
                  code,
                  event.object().path("reason").asText(),
                  event.object().path("message").asText(),
                  "watch " + options.path().collection(),
                  null);
            }
            default ->
                log.warn(
                    "ignoring watch event type {} on {}",
                    event.type(),
                    options.path().collection());
          }
        }
      } catch (ApiException e) {
        if (e.isGone()) {
          log.info("watch of {} answered 410 Gone, listing again", options.path().collection());
          return;
        }
        if (!running) {
          break;
        }
        Duration wait = backoff.next();
        log.info(
            "watch of {} ended ({}), watching again from {} in {} ms",
            options.path().collection(),
            e.getMessage(),
            lastVersion,
            wait.toMillis());
        sleeper.sleep(wait);
      } finally {
        current = null;
      }
    }
    throw new InterruptedException("informer stopped");
  }

  private Map<String, String> selectors() {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("labelSelector", options.labelSelector());
    q.put("fieldSelector", options.fieldSelector());
    return q;
  }

  private T decode(JsonNode node) throws ApiException {
    try {
      return client.json().treeToValue(node, type);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      throw new ApiException(
          0,
          "",
          "cannot decode a " + type.getSimpleName() + ": " + e,
          options.path().collection(),
          e);
    }
  }

  private void deliver(List<InformerEvent<T>> events) {
    for (InformerEvent<T> e : events) {
      try {
        handler.onEvent(e);
      } catch (RuntimeException ex) {
        log.error(
            "informer handler for {} failed on {}",
            options.path().collection(),
            e.getClass().getSimpleName(),
            ex);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    if (resyncTimer != null) {
      resyncTimer.shutdownNow();
    }
    KubeApiClient.WatchConnection w = current;
    if (w != null) {
      w.close();
    }
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      t.join(5000);
    }
  }
}
