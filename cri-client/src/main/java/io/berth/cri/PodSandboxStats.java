package io.berth.cri;

import java.util.List;
import java.util.Map;

/** Resource usage of a pod sandbox (Linux); parts are {@code null} when not reported. */
public record PodSandboxStats(
    String id,
    PodSandboxMetadata metadata,
    Map<String, String> labels,
    Map<String, String> annotations,
    CpuUsage cpu,
    MemoryUsage memory,
    NetworkUsage network,
    Long processCount,
    List<ContainerStats> containers) {
  public PodSandboxStats {
    id = Copies.str(id);
    labels = Copies.map(labels);
    annotations = Copies.map(annotations);
    containers = Copies.list(containers);
  }
}
