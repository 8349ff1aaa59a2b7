package io.berth.agent.kuberuntime;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pod's quality-of-service class, computed exactly as {@code
 * pkg/apis/core/v1/helper/qos.ComputePodQOS} does from the cpu and memory requests and limits of
 * all containers and init containers (pod-level resources are not supported yet).
 */
public enum QosClass {
  GUARANTEED("Guaranteed"),
  BURSTABLE("Burstable"),
  BEST_EFFORT("BestEffort");

  private static final Set<String> COMPUTE = Set.of(Quantities.CPU, Quantities.MEMORY);

  private final String apiName;

  QosClass(String apiName) {
    this.apiName = apiName;
  }

  /**
   * The {@code status.qosClass} value: {@code Guaranteed}, {@code Burstable}, {@code BestEffort}.
   */
  public String apiName() {
    return apiName;
  }

  /** The QoS class of {@code pod}; {@code pod.status.qosClass} is ignored (it is an output). */
  public static QosClass of(Pod pod) {
    List<Container> all = new ArrayList<>();
    if (pod.getSpec() != null) {
      all.addAll(nullSafe(pod.getSpec().getContainers()));
      all.addAll(nullSafe(pod.getSpec().getInitContainers()));
    }
    Map<String, BigDecimal> requests = new HashMap<>();
    Map<String, BigDecimal> limits = new HashMap<>();
    boolean guaranteed = true;
    for (Container c : all) {
      for (var e : Quantities.requests(c).entrySet()) {
        if (COMPUTE.contains(e.getKey()) && Quantities.positive(e.getValue())) {
          requests.merge(e.getKey(), Quantity.getAmountInBytes(e.getValue()), BigDecimal::add);
        }
      }
      Set<String> limitsFound = new java.util.HashSet<>();
      for (var e : Quantities.limits(c).entrySet()) {
        if (COMPUTE.contains(e.getKey()) && Quantities.positive(e.getValue())) {
          limitsFound.add(e.getKey());
          limits.merge(e.getKey(), Quantity.getAmountInBytes(e.getValue()), BigDecimal::add);
        }
      }
      if (!limitsFound.containsAll(COMPUTE)) {
        guaranteed = false;
      }
    }
    if (requests.isEmpty() && limits.isEmpty()) {
      return BEST_EFFORT;
    }
    if (guaranteed) {
      for (var e : requests.entrySet()) {
        BigDecimal limit = limits.get(e.getKey());
        if (limit == null || limit.compareTo(e.getValue()) != 0) {
          guaranteed = false;
          break;
        }
      }
    }
    if (guaranteed && requests.size() == limits.size()) {
      return GUARANTEED;
    }
    return BURSTABLE;
  }

  private static <T> List<T> nullSafe(List<T> list) {
    return list == null ? List.of() : list;
  }
}
