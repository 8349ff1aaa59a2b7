package io.berth.agent.events;

import java.util.LinkedHashMap;
import java.util.Map;

/** A least-recently-used map of at most {@code capacity} entries (client-go's lru.Cache). */
final class LruCache<K, V> extends LinkedHashMap<K, V> {
  private final int capacity;

  LruCache(int capacity) {
    super(16, 0.75f, true);
    this.capacity = capacity;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
    return size() > capacity;
  }
}
