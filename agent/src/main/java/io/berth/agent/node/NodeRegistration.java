package io.berth.agent.node;

import io.berth.metrics.node.EvictionThreshold;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * How berth registers its Node and what it sets aside for the system, the kubelet's {@code
 * registerWithTaints}, {@code --node-labels}, {@code kubeReserved}, {@code systemReserved} and
 * {@code evictionHard}.
 *
 * <p>Allocatable is computed as the kubelet's {@code GetNodeAllocatableReservation}: for cpu,
 * memory and ephemeral-storage, capacity − kubeReserved − systemReserved − the hard eviction
 * threshold of that resource ({@code memory.available} for memory, {@code nodefs.available} for
 * ephemeral-storage; a percentage is of capacity), never below zero; pods are not reduced.
 *
 * @param taints set on the Node when berth creates it (an existing Node's taints are left alone, as
 *     the kubelet does)
 * @param labels extra labels for a Node berth creates (the kubelet's {@code --node-labels}), e.g.
 *     {@code topology.kubernetes.io/zone}
 * @param kubeReserved resources set aside for Kubernetes daemons (cpu, memory, ephemeral-storage)
 * @param systemReserved resources set aside for the OS
 * @param evictionHard the hard eviction thresholds; they also decide the pressure conditions
 */
public record NodeRegistration(
    List<Taint> taints,
    Map<String, String> labels,
    Map<String, Quantity> kubeReserved,
    Map<String, Quantity> systemReserved,
    List<EvictionThreshold> evictionHard) {
  public NodeRegistration {
    taints = List.copyOf(taints);
    labels = Map.copyOf(labels);
    kubeReserved = Map.copyOf(kubeReserved);
    systemReserved = Map.copyOf(systemReserved);
    evictionHard = List.copyOf(evictionHard);
  }

  /** The kubelet's defaults: no taints, no extra labels, no reservations, default evictionHard. */
  public static NodeRegistration defaults() {
    return new NodeRegistration(
        List.of(), Map.of(), Map.of(), Map.of(), EvictionThreshold.kubeletDefaults());
  }

  /** What pods may use of a node with this capacity. */
  public Allocatable allocatable(long cpuMillis, long memoryBytes, long ephemeralStorageBytes) {
    long cpu = cpuMillis - milli("cpu");
    long memory =
        memoryBytes
            - bytes("memory")
            - evictionReserve(EvictionThreshold.Signal.MEMORY_AVAILABLE, memoryBytes);
    long storage =
        ephemeralStorageBytes
            - bytes("ephemeral-storage")
            - evictionReserve(EvictionThreshold.Signal.NODEFS_AVAILABLE, ephemeralStorageBytes);
    return new Allocatable(Math.max(0, cpu), Math.max(0, memory), Math.max(0, storage));
  }

  /** Allocatable cpu (millicores), memory and ephemeral storage (bytes). */
  public record Allocatable(long cpuMillis, long memoryBytes, long ephemeralStorageBytes) {}

  private long evictionReserve(EvictionThreshold.Signal signal, long capacity) {
    return EvictionThreshold.find(evictionHard, signal)
        .map(t -> t.value().minimum(capacity))
        .orElse(0L);
  }

  private long milli(String resource) {
    return reserved(resource).multiply(BigDecimal.valueOf(1000)).longValue();
  }

  private long bytes(String resource) {
    return reserved(resource).longValue();
  }

  private BigDecimal reserved(String resource) {
    BigDecimal sum = BigDecimal.ZERO;
    for (Map<String, Quantity> m : List.of(kubeReserved, systemReserved)) {
      Quantity q = m.get(resource);
      if (q != null) {
        sum = sum.add(Quantity.getAmountInBytes(q));
      }
    }
    return sum;
  }
}
