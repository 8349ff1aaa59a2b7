package io.berth.cri;

import java.util.Map;

/** Filter for {@code ListContainerStats}; empty fields mean "any". */
public record ContainerStatsFilter(
    String id, String podSandboxId, Map<String, String> labelSelector) {
  public ContainerStatsFilter {
    id = Copies.str(id);
    podSandboxId = Copies.str(podSandboxId);
    labelSelector = Copies.map(labelSelector);
  }

  public static ContainerStatsFilter all() {
    return new ContainerStatsFilter("", "", Map.of());
  }

  public static ContainerStatsFilter inSandbox(String podSandboxId) {
    return new ContainerStatsFilter("", podSandboxId, Map.of());
  }
}
