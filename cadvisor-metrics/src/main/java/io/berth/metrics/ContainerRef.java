package io.berth.metrics;

import java.time.Instant;
import java.util.Objects;

/**
 * One running container as the agent knows it from the CRI. Input to the collector; no berth module
 * types so the library stands alone.
 *
 * @param name the container name in the pod spec (label {@code container})
 * @param id the CRI container id (cAdvisor's {@code name} label for containerd)
 * @param image the image reference (label {@code image})
 * @param cgroupPath the container's cgroup path, e.g. {@code /kubepods/burstable/pod<uid>/<id>}
 * @param startTime when the container started
 */
public record ContainerRef(
    String name, String id, String image, String cgroupPath, Instant startTime) {
  public ContainerRef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(cgroupPath, "cgroupPath");
    Objects.requireNonNull(startTime, "startTime");
  }
}
