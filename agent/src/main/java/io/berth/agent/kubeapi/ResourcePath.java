package io.berth.agent.kubeapi;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A resource collection's URL path: {@code /api/v1[/namespaces/NS]/pods} or {@code
 * /apis/GROUP/VERSION[/namespaces/NS]/RESOURCE}; {@code namespace} null means cluster-scoped or all
 * namespaces.
 */
public record ResourcePath(String group, String version, String resource, String namespace) {
  public static final ResourcePath PODS = new ResourcePath("", "v1", "pods", null);
  public static final ResourcePath NODES = new ResourcePath("", "v1", "nodes", null);
  public static final ResourcePath SERVICES = new ResourcePath("", "v1", "services", null);
  public static final ResourcePath CONFIGMAPS = new ResourcePath("", "v1", "configmaps", null);
  public static final ResourcePath SECRETS = new ResourcePath("", "v1", "secrets", null);
  public static final ResourcePath LEASES =
      new ResourcePath("coordination.k8s.io", "v1", "leases", null);
  public static final ResourcePath ENDPOINT_SLICES =
      new ResourcePath("discovery.k8s.io", "v1", "endpointslices", null);

  public ResourcePath inNamespace(String ns) {
    return new ResourcePath(group, version, resource, ns);
  }

  public String collection() {
    return (group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version)
        + (namespace == null ? "" : "/namespaces/" + namespace)
        + "/"
        + resource;
  }

  public String item(String name) {
    return collection() + "/" + name;
  }

  public String status(String name) {
    return item(name) + "/status";
  }

  /** {@code path?k=v&...} with the non-null parameters URL-encoded, in the given order. */
  public static String withQuery(String path, Map<String, String> params) {
    StringJoiner q = new StringJoiner("&");
    new LinkedHashMap<>(params)
        .forEach(
            (k, v) -> {
              if (v != null) {
                q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
              }
            });
    return q.length() == 0 ? path : path + "?" + q;
  }
}
