package io.berth.cri;

import java.util.Map;

/** Resource usage of one container; parts are {@code null} when the runtime sent none. */
public record ContainerStats(
    String id,
    ContainerMetadata metadata,
    Map<String, String> labels,
    Map<String, String> annotations,
    CpuUsage cpu,
    MemoryUsage memory,
    FilesystemUsage writableLayer) {
  public ContainerStats {
    id = Copies.str(id);
    labels = Copies.map(labels);
    annotations = Copies.map(annotations);
  }
}
