package io.berth.agent.kuberuntime;

import io.berth.cri.LinuxContainerResources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;

/**
 * A container's cgroup resources as the kubelet computes them (kuberuntime_container_linux.go
 * {@code calculateLinuxResources}, cm/helpers_linux.go, qos/policy.go): cpu shares from the request
 * (or the limit when only that is set), CFS quota from the limit over a 100 ms period, memory
 * limit, and the {@code oom_score_adj} of the pod's QoS class.
 *
 * <p>The oom score is computed even though this machine's containerd must run with {@code
 * restrict_oom_score_adj} (the runtime clamps negative values).
 */
public final class LinuxResources {
  private LinuxResources() {}

  public static final long MIN_SHARES = 2;
  public static final long MAX_SHARES = 262144;
  public static final long SHARES_PER_CPU = 1024;
  public static final long QUOTA_PERIOD = 100_000;
  public static final long MIN_QUOTA_PERIOD = 1000;

  public static final int GUARANTEED_OOM_SCORE_ADJ = -997;
  public static final int BEST_EFFORT_OOM_SCORE_ADJ = 1000;

  /** {@code MilliCPUToShares}: 0 → 2; otherwise {@code milli*1024/1000} within [2, 262144]. */
  public static long milliCpuToShares(long milliCpu) {
    if (milliCpu == 0) {
      return MIN_SHARES;
    }
    long shares = milliCpu * SHARES_PER_CPU / 1000;
    return Math.max(MIN_SHARES, Math.min(MAX_SHARES, shares));
  }

  /** {@code milliCPUToQuota}: 0 → 0 (no limit); otherwise {@code milli*period/1000}, ≥ 1000. */
  public static long milliCpuToQuota(long milliCpu, long period) {
    if (milliCpu == 0) {
      return 0;
    }
    return Math.max(MIN_QUOTA_PERIOD, milliCpu * period / 1000);
  }

  /** The CRI resources of {@code container} in {@code pod} (a defaulted pod). */
  public static LinuxContainerResources of(Pod pod, Container container, long memoryCapacity) {
    Map<String, io.fabric8.kubernetes.api.model.Quantity> requests = Quantities.requests(container);
    Map<String, io.fabric8.kubernetes.api.model.Quantity> limits = Quantities.limits(container);
    long cpuLimitMilli = Quantities.milliValue(limits.get(Quantities.CPU));
    long shares =
        requests.containsKey(Quantities.CPU)
            ? milliCpuToShares(Quantities.milliValue(requests.get(Quantities.CPU)))
            : milliCpuToShares(cpuLimitMilli);
    long memLimit = Quantities.value(limits.get(Quantities.MEMORY));
    return LinuxContainerResources.of(
            QUOTA_PERIOD, milliCpuToQuota(cpuLimitMilli, QUOTA_PERIOD), shares, memLimit)
        .withOomScoreAdj(oomScoreAdj(pod, container, memoryCapacity));
  }

  /** {@code qos.GetContainerOOMScoreAdjust}. */
  public static int oomScoreAdj(Pod pod, Container container, long memoryCapacity) {
    if ("system-node-critical".equals(pod.getSpec().getPriorityClassName())) {
      return GUARANTEED_OOM_SCORE_ADJ;
    }
    switch (QosClass.of(pod)) {
      case GUARANTEED:
        return GUARANTEED_OOM_SCORE_ADJ;
      case BEST_EFFORT:
        return BEST_EFFORT_OOM_SCORE_ADJ;
      case BURSTABLE:
        break;
    }
    long memoryRequest = Quantities.value(Quantities.requests(container).get(Quantities.MEMORY));
    if (isSidecar(pod, container)) {
      // A sidecar gets the OOM score adjustment of the main container least likely to be killed.
      long minRegular = Long.MAX_VALUE;
      for (Container c : pod.getSpec().getContainers()) {
        minRegular =
            Math.min(minRegular, Quantities.value(Quantities.requests(c).get(Quantities.MEMORY)));
      }
      if (minRegular != Long.MAX_VALUE && minRegular > memoryRequest) {
        memoryRequest = minRegular;
      }
    }
    long adjust = 1000 - (1000 * memoryRequest) / memoryCapacity;
    if (adjust < 1000 + GUARANTEED_OOM_SCORE_ADJ) {
      return 1000 + GUARANTEED_OOM_SCORE_ADJ;
    }
    if (adjust == BEST_EFFORT_OOM_SCORE_ADJ) {
      return (int) adjust - 1;
    }
    return (int) adjust;
  }

  static boolean isSidecar(Pod pod, Container container) {
    return "Always".equals(container.getRestartPolicy())
        && pod.getSpec().getInitContainers() != null
        && pod.getSpec().getInitContainers().contains(container);
  }
}
