package io.berth.probes;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the probe workers need to know about a container, from the runtime's status: its current ID,
 * whether it runs, since when, and the pod IP network probes go to.
 *
 * @param startedAt when the container started running (the initial delay counts from here); empty
 *     when it is not running
 */
public record ContainerState(
    String containerId, boolean running, Optional<Instant> startedAt, String podIp) {
  public ContainerState {
    Objects.requireNonNull(containerId, "containerId");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(podIp, "podIp");
    if (containerId.isEmpty()) {
      throw new IllegalArgumentException("container ID must not be empty");
    }
    if (running && startedAt.isEmpty()) {
      throw new IllegalArgumentException("running container " + containerId + " needs startedAt");
    }
  }

  public static ContainerState running(String containerId, Instant startedAt, String podIp) {
    return new ContainerState(containerId, true, Optional.of(startedAt), podIp);
  }

  public static ContainerState exited(String containerId, String podIp) {
    return new ContainerState(containerId, false, Optional.empty(), podIp);
  }
}
