package io.berth.agent.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A bounded cache whose entries expire after a TTL chosen per value (the kubelet caches allowed and
 * denied answers for different times). The oldest entry goes when the cache is full.
 *
 * <p>Thread safety: all methods are synchronized; the loader runs outside the lock, so two threads
 * may load the same key at once (the last answer wins), never blocking each other on a slow API.
 */
final class TtlCache<K, V> {
  private record Entry<V>(V value, Instant expires) {}

  private final Clock clock;
  private final int maxEntries;
  private final Function<V, Duration> ttl;
  private final LinkedHashMap<K, Entry<V>> entries = new LinkedHashMap<>();

  TtlCache(Clock clock, int maxEntries, Function<V, Duration> ttl) {
    this.clock = clock;
    this.maxEntries = maxEntries;
    this.ttl = ttl;
  }

  /** The cached value for {@code key}, or a fresh one from {@code loader}, then cached. */
  V get(K key, Function<K, V> loader) {
    synchronized (this) {
      Entry<V> e = entries.get(key);
      if (e != null && clock.instant().isBefore(e.expires())) {
        return e.value();
      }
    }
    V value = loader.apply(key);
    Duration keep = ttl.apply(value);
    if (keep.isPositive()) {
      synchronized (this) {
        entries.remove(key);
        entries.put(key, new Entry<>(value, clock.instant().plus(keep)));
        while (entries.size() > maxEntries) {
          Map.Entry<K, Entry<V>> oldest = entries.entrySet().iterator().next();
          entries.remove(oldest.getKey());
        }
      }
    }
    return value;
  }

  synchronized int size() {
    return entries.size();
  }
}
