package io.berth.agent.kuberuntime;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The pod-level cgroup settings of a (defaulted) pod, as the kubelet's {@code ResourceConfigForPod}
 * computes them (pkg/kubelet/cm/helpers_linux.go) from the pod's requests and limits ({@code
 * PodRequests}/{@code PodLimits} of component-helpers: app containers and sidecars summed, the
 * largest init container step taken when it needs more).
 *
 * <ul>
 *   <li>Guaranteed: shares from the CPU requests, quota from the CPU limits, memory limit.
 *   <li>Burstable: shares; quota only when every container declares a CPU limit; memory limit only
 *       when every container declares one.
 *   <li>BestEffort: 2 shares, nothing else.
 * </ul>
 *
 * @param cpuShares {@code cpu.shares}
 * @param cpuQuota {@code cpu.cfs_quota_us}; null: not limited
 * @param cpuPeriod {@code cpu.cfs_period_us}; null with {@code cpuQuota}
 * @param memoryLimit {@code memory.limit_in_bytes}; null: not limited
 */
public record PodResourceConfig(long cpuShares, Long cpuQuota, Long cpuPeriod, Long memoryLimit) {

  public static PodResourceConfig of(Pod pod) {
    QosClass qos = QosClass.of(pod);
    if (qos == QosClass.BEST_EFFORT) {
      return new PodResourceConfig(LinuxResources.MIN_SHARES, null, null, null);
    }
    long cpuRequests = cpuRequestMilli(pod);
    long cpuLimits =
        podTotal(pod, c -> Quantities.milliValue(Quantities.limits(c).get(Quantities.CPU)));
    long memoryLimits =
        podTotal(pod, c -> Quantities.value(Quantities.limits(c).get(Quantities.MEMORY)));
    boolean cpuLimitsDeclared = allDeclare(pod, Quantities.CPU);
    boolean memoryLimitsDeclared = allDeclare(pod, Quantities.MEMORY);
    long shares = LinuxResources.milliCpuToShares(cpuRequests);
    long quota = LinuxResources.milliCpuToQuota(cpuLimits, LinuxResources.QUOTA_PERIOD);
    boolean guaranteed = qos == QosClass.GUARANTEED;
    boolean withQuota = guaranteed || cpuLimitsDeclared;
    return new PodResourceConfig(
        shares,
        withQuota ? quota : null,
        withQuota ? LinuxResources.QUOTA_PERIOD : null,
        guaranteed || memoryLimitsDeclared ? memoryLimits : null);
  }

  /** The pod's CPU request in millicores ({@code PodRequests} of {@code cpu}). */
  public static long cpuRequestMilli(Pod pod) {
    return podTotal(pod, c -> Quantities.milliValue(Quantities.requests(c).get(Quantities.CPU)));
  }

  /**
   * {@code PodRequests}/{@code PodLimits} for one resource: app containers plus sidecars, or the
   * largest init step (an init container plus the sidecars started before it) when larger.
   */
  public static long podTotal(Pod pod, Function<Container, Long> amount) {
    long total = 0;
    for (Container c : containers(pod.getSpec().getContainers())) {
      total += amount.apply(c);
    }
    long sidecars = 0;
    long initMax = 0;
    for (Container c : containers(pod.getSpec().getInitContainers())) {
      long step;
      if ("Always".equals(c.getRestartPolicy())) {
        total += amount.apply(c);
        sidecars += amount.apply(c);
        step = sidecars;
      } else {
        step = amount.apply(c) + sidecars;
      }
      initMax = Math.max(initMax, step);
    }
    return Math.max(total, initMax);
  }

  /** Whether every container, init containers included, has a non-zero limit for the resource. */
  private static boolean allDeclare(Pod pod, String resource) {
    for (List<Container> list :
        List.of(
            containers(pod.getSpec().getContainers()),
            containers(pod.getSpec().getInitContainers()))) {
      for (Container c : list) {
        Map<String, Quantity> limits = Quantities.limits(c);
        if (!Quantities.positive(limits.get(resource))) {
          return false;
        }
      }
    }
    return true;
  }

  private static List<Container> containers(List<Container> list) {
    return list == null ? List.of() : list;
  }
}
