package io.berth.cri;

import java.util.Map;

/** Filter for {@code ListPodSandboxStats}; empty fields mean "any". */
public record PodSandboxStatsFilter(String id, Map<String, String> labelSelector) {
  public PodSandboxStatsFilter {
    id = Copies.str(id);
    labelSelector = Copies.map(labelSelector);
  }

  public static PodSandboxStatsFilter all() {
    return new PodSandboxStatsFilter("", Map.of());
  }
}
