package io.berth.cri;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Defensive copies for record components: {@code null} becomes empty, contents immutable. */
final class Copies {
  private Copies() {}

  static <T> List<T> list(List<T> list) {
    return list == null ? List.of() : List.copyOf(list);
  }

  /** Copies into an immutable map; keeps the sorted order of keys for stable toString(). */
  static <V> Map<String, V> map(Map<String, V> map) {
    return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(map));
  }

  static String str(String s) {
    return s == null ? "" : s;
  }
}
