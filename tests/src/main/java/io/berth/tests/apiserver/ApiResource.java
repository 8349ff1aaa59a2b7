package io.berth.tests.apiserver;

import java.util.List;

/**
 * One REST resource the test API server serves, as discovery describes it.
 *
 * @param group API group, empty for the core group
 * @param version API version, e.g. {@code v1}
 * @param resource plural resource name used in paths, e.g. {@code pods}
 * @param kind object kind, e.g. {@code Pod}
 * @param namespaced whether objects live in a namespace
 * @param shortNames kubectl short names, e.g. {@code po}
 * @param statusSubresource whether {@code /status} exists; then the main resource ignores status
 *     changes and {@code /status} ignores everything else
 * @param selectableFields field selector labels beyond metadata.name and metadata.namespace
 */
public record ApiResource(
    String group,
    String version,
    String resource,
    String kind,
    boolean namespaced,
    List<String> shortNames,
    boolean statusSubresource,
    List<String> selectableFields) {

  static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  /** {@code v1} for the core group, else {@code group/version}. */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The singular name discovery reports: the kind in lower case. */
  public String singular() {
    return kind.toLowerCase(java.util.Locale.ROOT);
  }

  /** The path prefix of this resource's group version: {@code /api/v1} or {@code /apis/g/v}. */
  public String groupVersionPath() {
    return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }
}
