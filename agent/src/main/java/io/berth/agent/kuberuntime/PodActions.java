package io.berth.agent.kuberuntime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a pod sync has to do, as the kubelet's {@code podActions}: computed by {@link
 * ComputePodActions} and carried out by the pod worker in this order: kill the pod (all containers
 * and the sandbox) or the listed containers; create the sandbox; start the init containers in
 * order; start the containers (each after its {@link CrashLoopBackoff} check).
 *
 * @param killPod stop every container and the sandbox first
 * @param createSandbox then run a new sandbox (with {@code attempt})
 * @param sandboxId the existing sandbox to use or to replace; empty when none
 * @param attempt the sandbox attempt to create (max observed + 1), or the current one
 * @param initContainersToStart names of init containers to (re)start, in spec order (sidecars
 *     included)
 * @param containersToStart names of regular containers to (re)start, in spec order
 * @param containersToKill container id → why; ignored when {@code killPod}
 * @param reason a human explanation of {@code killPod}/{@code createSandbox}, empty otherwise
 */
public record PodActions(
    boolean killPod,
    boolean createSandbox,
    String sandboxId,
    int attempt,
    List<String> initContainersToStart,
    List<String> containersToStart,
    Map<String, KillInfo> containersToKill,
    String reason) {
  public PodActions {
    sandboxId = sandboxId == null ? "" : sandboxId;
    initContainersToStart = List.copyOf(initContainersToStart);
    containersToStart = List.copyOf(containersToStart);
    containersToKill = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(containersToKill));
    reason = reason == null ? "" : reason;
  }

  /** Nothing to do. */
  public boolean isNoop() {
    return !killPod
        && !createSandbox
        && initContainersToStart.isEmpty()
        && containersToStart.isEmpty()
        && containersToKill.isEmpty();
  }

  /** Why a container is killed: the kubelet's {@code containerKillReason}. */
  public enum KillReason {
    /** The spec hash changed (the kubelet uses an empty reason). */
    SPEC_CHANGED,
    LIVENESS_PROBE_FAILED,
    STARTUP_PROBE_FAILED,
    /** Unknown state: killed before a restart so two instances never run. */
    UNKNOWN_STATE
  }

  /**
   * A container to kill.
   *
   * @param name the container's name in the spec
   * @param message the kubelet's message, e.g. {@code "Container app definition changed, will be
   *     restarted"}
   */
  public record KillInfo(String name, KillReason reason, String message) {}
}
