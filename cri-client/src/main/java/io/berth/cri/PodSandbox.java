package io.berth.cri;

import java.time.Instant;
import java.util.Map;

/** A pod sandbox as listed by {@code ListPodSandbox}. */
public record PodSandbox(
    String id,
    PodSandboxMetadata metadata,
    PodSandboxState state,
    Instant createdAt,
    Map<String, String> labels,
    Map<String, String> annotations,
    String runtimeHandler) {
  public PodSandbox {
    id = Copies.str(id);
    labels = Copies.map(labels);
    annotations = Copies.map(annotations);
    runtimeHandler = Copies.str(runtimeHandler);
  }
}
