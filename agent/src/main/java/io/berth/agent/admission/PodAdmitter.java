package io.berth.agent.admission;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether the node takes a pod, given the pods it has already admitted and not yet finished
 * with (the kubelet runs its admit handlers in this order: eviction/resources, sysctls, then the
 * scheduler's predicates — pod count, resources, host ports).
 */
public final class PodAdmitter {
  /** What the node offers. */
  public record NodeLimits(int maxPods, long allocatableMilliCpu, long allocatableMemoryBytes) {
    public NodeLimits {
      if (maxPods <= 0) {
        throw new IllegalArgumentException("maxPods must be positive, got " + maxPods);
      }
    }
  }

  private final NodeLimits limits;
  private final SysctlAdmission sysctls;
  private final HostPorts hostPorts;

  /** With the real port probe (binds the port for a moment). */
  public PodAdmitter(NodeLimits limits, List<String> allowedUnsafeSysctls) {
    this(limits, allowedUnsafeSysctls, HostPorts.BIND);
  }

  PodAdmitter(NodeLimits limits, List<String> allowedUnsafeSysctls, HostPorts.PortProbe probe) {
    this.limits = limits;
    this.sysctls = new SysctlAdmission(allowedUnsafeSysctls);
    this.hostPorts = new HostPorts(probe);
  }

  /**
   * @param admitted the pods admitted before and still active (not terminated), without {@code pod}
   */
  public Admission admit(Pod pod, List<Pod> admitted) {
    Optional<Admission.Reject> r = sysctls.check(pod);
    if (r.isEmpty()) {
      r = fits(pod, admitted);
    }
    if (r.isEmpty()) {
      r = hostPorts.check(pod, admitted);
    }
    return r.<Admission>map(x -> x).orElse(Admission.ADMIT);
  }

  private Optional<Admission.Reject> fits(Pod pod, List<Pod> admitted) {
    if (admitted.size() + 1 > limits.maxPods()) {
      return Optional.of(insufficient("pods", 1, admitted.size(), limits.maxPods()));
    }
    PodRequests used = PodRequests.NONE;
    for (Pod p : admitted) {
      used = used.plus(PodRequests.of(p));
    }
    PodRequests want = PodRequests.of(pod);
    if (want.milliCpu() > 0 && used.milliCpu() + want.milliCpu() > limits.allocatableMilliCpu()) {
      return Optional.of(
          insufficient("cpu", want.milliCpu(), used.milliCpu(), limits.allocatableMilliCpu()));
    }
    if (want.memoryBytes() > 0
        && used.memoryBytes() + want.memoryBytes() > limits.allocatableMemoryBytes()) {
      return Optional.of(
          insufficient(
              "memory", want.memoryBytes(), used.memoryBytes(), limits.allocatableMemoryBytes()));
    }
    return Optional.empty();
  }

  /** The kubelet's {@code OutOf<resource>} rejection and its message. */
  private static Admission.Reject insufficient(
      String resource, long requested, long used, long capacity) {
    return new Admission.Reject(
        "OutOf" + resource,
        "Node didn't have enough resource: "
            + resource
            + ", requested: "
            + requested
            + ", used: "
            + used
            + ", capacity: "
            + capacity);
  }
}
