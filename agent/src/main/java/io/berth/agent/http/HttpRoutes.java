package io.berth.agent.http;

import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/** Exact-path routes for GET (and HEAD); built once, then read-only. */
public final class HttpRoutes {
  private final NavigableMap<String, HttpHandler> exact = new TreeMap<>();

  public HttpRoutes get(String path, HttpHandler handler) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("route must start with '/': " + path);
    }
    if (exact.putIfAbsent(path, handler) != null) {
      throw new IllegalArgumentException("route registered twice: " + path);
    }
    return this;
  }

  Optional<HttpHandler> find(String path) {
    return Optional.ofNullable(exact.get(path));
  }

  /** The handler of {@code path}, for another listener that serves the same routes (10250). */
  public Optional<HttpHandler> handler(String path) {
    return find(path);
  }

  /** The registered paths, sorted (for an index page and logs). */
  public java.util.Set<String> paths() {
    return java.util.Collections.unmodifiableSet(
        ((TreeMap<String, HttpHandler>) exact).navigableKeySet());
  }
}
