package io.berth.agent.http;

import java.util.List;
import java.util.Map;

/**
 * What a handler sees of a request: method, decoded path, query parameters and the {@code
 * Accept-Encoding} header ("" when absent).
 */
public record HttpRequestView(
    String method, String path, Map<String, List<String>> query, String acceptEncoding) {
  public HttpRequestView {
    query = Map.copyOf(query);
    acceptEncoding = acceptEncoding == null ? "" : acceptEncoding;
  }

  /** A request that accepts no content coding but identity. */
  public HttpRequestView(String method, String path, Map<String, List<String>> query) {
    this(method, path, query, "");
  }

  /** The first value of a query parameter, or {@code fallback}. */
  public String param(String name, String fallback) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? fallback : values.get(0);
  }
}
