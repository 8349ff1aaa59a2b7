package io.berth.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One pod on this node, with its running containers.
 *
 * @param uid the pod UID
 * @param name the pod name (label {@code pod})
 * @param namespace the pod namespace (label {@code namespace})
 * @param cgroupPath the pod-level cgroup, e.g. {@code /kubepods/burstable/pod<uid>}
 * @param sandboxPid a process in the pod's network namespace (the sandbox's pid from the CRI's
 *     verbose PodSandboxStatus), for network counters; empty when unknown or host-network
 * @param startTime when the pod (sandbox) started
 * @param containers the running containers
 */
public record PodRef(
    String uid,
    String name,
    String namespace,
    String cgroupPath,
    OptionalLong sandboxPid,
    Instant startTime,
    List<ContainerRef> containers) {
  public PodRef {
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(cgroupPath, "cgroupPath");
    Objects.requireNonNull(sandboxPid, "sandboxPid");
    Objects.requireNonNull(startTime, "startTime");
    containers = List.copyOf(containers);
  }
}
