package io.berth.agent.kuberuntime;

import java.time.Duration;

/**
 * The kubelet's container GC policy ({@code kubecontainer.GCPolicy}).
 *
 * @param minAge a dead container younger than this is kept ({@code
 *     --minimum-container-ttl-duration}, 0 by default)
 * @param maxPerPodContainer dead instances kept per (pod, container name), newest first; negative
 *     for no limit ({@code --maximum-dead-containers-per-container}, 1 by default)
 * @param maxContainers dead containers kept on the node; negative for no limit ({@code
 *     --maximum-dead-containers}, -1 by default)
 */
public record GcPolicy(Duration minAge, int maxPerPodContainer, int maxContainers) {
  /** The kubelet's defaults: MinAge 0, MaxPerPodContainer 1, MaxContainers -1. */
  public static final GcPolicy DEFAULTS = new GcPolicy(Duration.ZERO, 1, -1);

  public GcPolicy {
    if (minAge == null || minAge.isNegative()) {
      throw new IllegalArgumentException("GC minimum age must be 0 or more, was " + minAge);
    }
  }
}
