package io.berth.agent.http;

import java.util.List;
import java.util.Map;

/** What a handler sees of a request: method, decoded path and query parameters. */
public record HttpRequestView(String method, String path, Map<String, List<String>> query) {
  public HttpRequestView {
    query = Map.copyOf(query);
  }

  /** The first value of a query parameter, or {@code fallback}. */
  public String param(String name, String fallback) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? fallback : values.get(0);
  }
}
