package io.berth.agent.admission;

import io.berth.agent.kuberuntime.PodResourceConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Map;

/**
 * What a pod requests from the node, as the scheduler and the kubelet count it ({@code
 * resource.PodRequests}, summed by {@link PodResourceConfig#podTotal}: the larger of app containers
 * plus sidecars and the peak while init containers run), plus overhead.
 *
 * @param milliCpu CPU in millicores
 * @param memoryBytes memory in bytes
 */
record PodRequests(long milliCpu, long memoryBytes) {
  static final PodRequests NONE = new PodRequests(0, 0);

  static PodRequests of(Pod pod) {
    PodRequests total =
        new PodRequests(
            PodResourceConfig.podTotal(pod, c -> of(c).milliCpu()),
            PodResourceConfig.podTotal(pod, c -> of(c).memoryBytes()));
    if (pod.getSpec().getOverhead() != null) {
      total = total.plus(of(pod.getSpec().getOverhead()));
    }
    return total;
  }

  static PodRequests of(Container c) {
    if (c.getResources() == null) {
      return NONE;
    }
    Map<String, Quantity> req = c.getResources().getRequests();
    if (req == null || req.isEmpty()) {
      // an unset request defaults to the limit (the API server's defaulting)
      req = c.getResources().getLimits();
    }
    return req == null ? NONE : of(req);
  }

  private static PodRequests of(Map<String, Quantity> m) {
    return new PodRequests(
        amount(m.get("cpu"), BigDecimal.valueOf(1000)), amount(m.get("memory"), BigDecimal.ONE));
  }

  private static long amount(Quantity q, BigDecimal scale) {
    return q == null
        ? 0
        : Quantity.getAmountInBytes(q)
            .multiply(scale)
            .setScale(0, java.math.RoundingMode.CEILING)
            .longValue();
  }

  PodRequests plus(PodRequests o) {
    return new PodRequests(milliCpu + o.milliCpu, memoryBytes + o.memoryBytes);
  }
}
