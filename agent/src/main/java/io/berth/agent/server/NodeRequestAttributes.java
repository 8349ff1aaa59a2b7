package io.berth.agent.server;

import java.util.Locale;

/**
 * What a node API request asks for, in the kubelet's authorization model: a resource request on
 * {@code nodes/<nodeName>} with a subresource chosen by path ({@code stats}, {@code metrics},
 * {@code log}, {@code spec}; everything else, exec and logs of containers included, is {@code
 * proxy}) and the verb from the HTTP method (GET get, POST create, PUT update, PATCH patch, DELETE
 * delete).
 *
 * @param verb the API verb
 * @param nodeName the node's name (the resource name)
 * @param subresource the nodes subresource
 */
public record NodeRequestAttributes(String verb, String nodeName, String subresource) {
  /** The attributes of {@code method path} on {@code nodeName}. */
  public static NodeRequestAttributes of(String method, String path, String nodeName) {
    String verb =
        switch (method.toUpperCase(Locale.ROOT)) {
          case "POST" -> "create";
          case "GET", "HEAD" -> "get";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> "delete";
          default -> "";
        };
    String sub = "proxy";
    if (isSubpath(path, "/stats")) {
      sub = "stats";
    } else if (isSubpath(path, "/metrics")) {
      sub = "metrics";
    } else if (isSubpath(path, "/logs")) {
      sub = "log";
    } else if (isSubpath(path, "/spec")) {
      sub = "spec";
    }
    return new NodeRequestAttributes(verb, nodeName, sub);
  }

  /** {@code path} is {@code prefix} or below it ({@code /metricsfoo} is not below /metrics). */
  static boolean isSubpath(String path, String prefix) {
    return path.equals(prefix) || (path.startsWith(prefix) && path.charAt(prefix.length()) == '/');
  }

  @Override
  public String toString() {
    return verb + " nodes/" + subresource + " " + nodeName;
  }
}
