package io.berth.cri;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Status of a container. Times are {@code null} when the runtime reports 0 (not started, not
 * finished); {@code exitCode} is meaningful only once {@code finishedAt} is set.
 *
 * @param reason e.g. {@code "Completed"}, {@code "Error"}, {@code "OOMKilled"}
 * @param resources the resources the runtime applied, {@code null} when not reported
 * @param info extra runtime information (JSON values) — only filled when asked for verbose
 */
public record ContainerStatus(
    String id,
    ContainerMetadata metadata,
    ContainerState state,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    int exitCode,
    ImageSpec image,
    String imageRef,
    String reason,
    String message,
    Map<String, String> labels,
    Map<String, String> annotations,
    List<Mount> mounts,
    String logPath,
    LinuxContainerResources resources,
    Map<String, String> info) {
  public ContainerStatus {
    id = Copies.str(id);
    imageRef = Copies.str(imageRef);
    reason = Copies.str(reason);
    message = Copies.str(message);
    labels = Copies.map(labels);
    annotations = Copies.map(annotations);
    mounts = Copies.list(mounts);
    logPath = Copies.str(logPath);
    info = Copies.map(info);
  }
}
