package io.berth.cri;

import java.util.Map;

/**
 * Filter for {@code ListPodSandbox}; all set fields are ANDed. Empty id, {@code null} state and an
 * empty label selector mean "any".
 */
public record PodSandboxFilter(
    String id, PodSandboxState state, Map<String, String> labelSelector) {
  public PodSandboxFilter {
    id = Copies.str(id);
    labelSelector = Copies.map(labelSelector);
  }

  public static PodSandboxFilter all() {
    return new PodSandboxFilter("", null, Map.of());
  }

  public static PodSandboxFilter withLabels(Map<String, String> labelSelector) {
    return new PodSandboxFilter("", null, labelSelector);
  }

  public PodSandboxFilter inState(PodSandboxState value) {
    return new PodSandboxFilter(id, value, labelSelector);
  }
}
