package io.berth.tests.apiserver;

import java.util.Arrays;
import java.util.Optional;

/**
 * A parsed resource URL: {@code /api/v1[/watch][/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]]} or
 * the same under {@code /apis/GROUP/VERSION}.
 */
record ApiPath(
    ApiResource resource, String namespace, String name, String subresource, boolean legacyWatch) {

  /** The pods/ephemeralcontainers subresource ({@code kubectl debug}). */
  static final String EPHEMERAL_CONTAINERS = "ephemeralcontainers";

  static Optional<ApiPath> parse(String path) {
    String[] s = Arrays.stream(path.split("/")).filter(x -> !x.isEmpty()).toArray(String[]::new);
    String group;
    String version;
    int i;
    if (s.length >= 3 && s[0].equals("api")) {
      group = "";
      version = s[1];
      i = 2;
    } else if (s.length >= 4 && s[0].equals("apis")) {
      group = s[1];
      version = s[2];
      i = 3;
    } else {
      return Optional.empty();
    }
    boolean watch = false;
    if (s[i].equals("watch")) {
      watch = true;
      i++;
    }
    String namespace = null;
    if (s.length - i >= 3
        && s[i].equals("namespaces")
        && !s[i + 2].equals("status")
        && !s[i + 2].equals("finalize")) {
      namespace = s[i + 1];
      i += 2;
    }
    if (i >= s.length || s.length - i > 3) {
      return Optional.empty();
    }
    Optional<ApiResource> r = ApiResources.find(group, version, s[i]);
    if (r.isEmpty() || !r.get().namespaced() && namespace != null) {
      return Optional.empty();
    }
    String name = s.length - i >= 2 ? s[i + 1] : null;
    String sub = s.length - i == 3 ? s[i + 2] : null;
    if (sub != null
        && !(sub.equals("status") && r.get().statusSubresource())
        && !(sub.equals(EPHEMERAL_CONTAINERS) && r.get() == ApiResources.PODS)) {
      return Optional.empty();
    }
    return Optional.of(new ApiPath(r.get(), namespace, name, sub, watch));
  }
}
