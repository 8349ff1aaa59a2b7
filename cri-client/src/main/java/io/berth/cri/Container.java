package io.berth.cri;

import java.time.Instant;
import java.util.Map;

/** A container as listed by {@code ListContainers}. */
public record Container(
    String id,
    String podSandboxId,
    ContainerMetadata metadata,
    ImageSpec image,
    String imageRef,
    ContainerState state,
    Instant createdAt,
    Map<String, String> labels,
    Map<String, String> annotations) {
  public Container {
    id = Copies.str(id);
    podSandboxId = Copies.str(podSandboxId);
    imageRef = Copies.str(imageRef);
    labels = Copies.map(labels);
    annotations = Copies.map(annotations);
  }
}
