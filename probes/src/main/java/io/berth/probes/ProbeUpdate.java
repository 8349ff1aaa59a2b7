package io.berth.probes;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A change of a container's cached probe result, as it flows through {@link ProbeResults}.
 *
 * @param result SUCCESS, FAILURE or UNKNOWN (a warning is cached as success; UNKNOWN is the startup
 *     probe's initial value)
 * @param containerRunning false when the result was set because the container is not running
 * @param terminationGracePeriodSeconds the probe-level grace period to kill with, when {@link
 *     #restartContainer()}
 */
public record ProbeUpdate(
    PodRef pod,
    String containerName,
    String containerId,
    ProbeType type,
    ProbeResult result,
    boolean containerRunning,
    OptionalLong terminationGracePeriodSeconds) {

  public ProbeUpdate {
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(containerName, "containerName");
    Objects.requireNonNull(containerId, "containerId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(terminationGracePeriodSeconds, "terminationGracePeriodSeconds");
  }

  /** A liveness or startup probe failed past its threshold: the container must be restarted. */
  public boolean restartContainer() {
    return containerRunning
        && type.restartsOnFailure()
        && result.outcome() == ProbeResult.Outcome.FAILURE;
  }

  /** For a readiness update: whether the container is now ready. */
  public boolean ready() {
    return result.outcome() == ProbeResult.Outcome.SUCCESS;
  }
}
