package io.berth.agent.pod;

import io.berth.agent.config.ConfigSource;
import io.berth.agent.config.PodConfig;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;

/**
 * The kubelet's {@code IsCriticalPod} ({@code pkg/kubelet/types/pod_update.go}): static pods,
 * mirror pods and pods with a priority of at least {@link #SYSTEM_CRITICAL_PRIORITY}. The eviction
 * manager never evicts them (a static pod would not come back: it is not re-admitted).
 */
public final class CriticalPods {
  /** {@code scheduling.SystemCriticalPriority}. */
  public static final int SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

  private CriticalPods() {}

  public static boolean isCritical(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    if (annotations != null) {
      String source = annotations.get(PodConfig.CONFIG_SOURCE_ANNOTATION);
      if (source != null && !source.equals(ConfigSource.API.annotationValue())) {
        return true; // static: from a file or URL
      }
      if (annotations.containsKey(PodConfig.CONFIG_MIRROR_ANNOTATION)) {
        return true;
      }
    }
    Integer priority = pod.getSpec() == null ? null : pod.getSpec().getPriority();
    return priority != null && priority >= SYSTEM_CRITICAL_PRIORITY;
  }
}
