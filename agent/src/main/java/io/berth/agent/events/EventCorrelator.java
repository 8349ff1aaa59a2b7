package io.berth.agent.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * client-go's {@code EventCorrelator} with its defaults, in three steps:
 *
 * <ol>
 *   <li><b>Aggregation</b>: events alike but for their message (same source, object, type and
 *       reason) are counted by distinct message; when the 10th distinct message comes within 10
 *       minutes of the previous similar event, it and all later ones become one event "(combined
 *       from similar events): MESSAGE" keyed by what they share.
 *   <li><b>Dedup</b>: an event equal to one seen before (same object incl. field path, type, reason
 *       and message, or the same aggregate) is written as a patch of the earlier event: count + 1,
 *       new lastTimestamp and message. As in client-go the memory is an LRU of 4096 keys, not a
 *       time window.
 *   <li><b>Spam filter</b> ({@link SpamFilter}): 25 events per object, then one per 5 minutes.
 * </ol>
 *
 * <pre>{@code
 * event ─▶ aggregate (10 distinct messages / 10 min) ─▶ dedup (LRU 4096) ─▶ spam filter ─▶ Create | Patch | Skip
 * }</pre>
 *
 * <p>Thread safety: none; the recorder's single writer thread owns it.
 */
public final class EventCorrelator {
  static final int CACHE_SIZE = 4096;
  static final int MAX_SIMILAR = 10;
  static final Duration MAX_INTERVAL = Duration.ofMinutes(10);
  static final String COMBINED_PREFIX = "(combined from similar events): ";

  /** What to do with an event. */
  public sealed interface Correlation {
    /** Dropped by the spam filter. */
    record Skip(CoreEvent event) implements Correlation {}

    /** A new event: POST it. */
    record Create(CoreEvent event, String key) implements Correlation {}

    /** The event was seen before: PATCH the earlier one with {@code event}'s count and times. */
    record Patch(CoreEvent event, String key) implements Correlation {}
  }

  private static final class Similar {
    final Set<String> messages = new HashSet<>();
    Instant last;
  }

  private record Seen(String name, Instant first, int count, String resourceVersion) {}

  private final Clock clock;
  private final LruCache<String, Similar> similar = new LruCache<>(CACHE_SIZE);
  private final LruCache<String, Seen> seen = new LruCache<>(CACHE_SIZE);
  private final SpamFilter spam;

  public EventCorrelator(Clock clock) {
    this.clock = clock;
    this.spam = new SpamFilter(clock);
  }

  /** Decides how {@code e} (a new event, count 1) reaches the API server. */
  public Correlation correlate(CoreEvent e) {
    Instant now = clock.instant();
    String aggregateKey = aggregateKey(e);
    String key = eventKey(e);
    Similar s = similar.get(aggregateKey);
    if (s == null || Duration.between(s.last, now).compareTo(MAX_INTERVAL) > 0) {
      s = new Similar();
      similar.put(aggregateKey, s);
    }
    s.last = now;
    s.messages.add(e.message());
    if (s.messages.size() >= MAX_SIMILAR) {
      // keep the set from growing: the next new message still finds it at the limit
      s.messages.remove(s.messages.iterator().next());
      e = e.withMessage(COMBINED_PREFIX + e.message());
      key = aggregateKey;
    }
    Seen last = seen.get(key);
    boolean again = last != null;
    if (again) {
      e = e.seenAgain(last.name(), last.first(), last.count(), last.resourceVersion());
    }
    seen.put(key, new Seen(e.name(), e.firstTimestamp(), e.count(), e.resourceVersion()));
    if (spam.filter(e)) {
      return new Correlation.Skip(e);
    }
    return again ? new Correlation.Patch(e, key) : new Correlation.Create(e, key);
  }

  /** After a successful write: remember the server's name, count and version under {@code key}. */
  public void written(String key, CoreEvent asWritten) {
    seen.put(
        key,
        new Seen(
            asWritten.name(),
            asWritten.firstTimestamp(),
            asWritten.count(),
            asWritten.resourceVersion()));
  }

  private static String aggregateKey(CoreEvent e) {
    ObjectReference r = e.involvedObject();
    return String.join("\u0000", e.sourceHost(), r.identity(), e.type().wire(), e.reason());
  }

  private static String eventKey(CoreEvent e) {
    ObjectReference r = e.involvedObject();
    return String.join(
        "\u0000",
        e.sourceHost(),
        r.identity(),
        r.fieldPath(),
        e.type().wire(),
        e.reason(),
        e.message());
  }
}
