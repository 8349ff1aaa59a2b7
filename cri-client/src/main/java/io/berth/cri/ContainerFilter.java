package io.berth.cri;

import java.util.Map;

/**
 * Filter for {@code ListContainers}; all set fields are ANDed. Empty strings, a {@code null} state
 * and an empty label selector mean "any".
 */
public record ContainerFilter(
    String id, ContainerState state, String podSandboxId, Map<String, String> labelSelector) {
  public ContainerFilter {
    id = Copies.str(id);
    podSandboxId = Copies.str(podSandboxId);
    labelSelector = Copies.map(labelSelector);
  }

  public static ContainerFilter all() {
    return new ContainerFilter("", null, "", Map.of());
  }

  public static ContainerFilter inSandbox(String podSandboxId) {
    return new ContainerFilter("", null, podSandboxId, Map.of());
  }

  public static ContainerFilter withLabels(Map<String, String> labelSelector) {
    return new ContainerFilter("", null, "", labelSelector);
  }

  public ContainerFilter inState(ContainerState value) {
    return new ContainerFilter(id, value, podSandboxId, labelSelector);
  }
}
