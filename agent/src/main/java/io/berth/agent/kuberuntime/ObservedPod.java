package io.berth.agent.kuberuntime;

import io.berth.cri.ContainerState;
import io.berth.cri.NamespaceMode;
import io.berth.cri.PodSandboxState;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What the runtime has for one pod (the kubelet's {@code kubecontainer.PodStatus}): its sandboxes
 * and containers, each list newest first. Build it with {@link RuntimeStateMapper}.
 */
public record ObservedPod(String uid, List<Sandbox> sandboxes, List<Container> containers) {
  public ObservedPod {
    uid = uid == null ? "" : uid;
    sandboxes =
        sandboxes == null
            ? List.of()
            : sandboxes.stream()
                .sorted(Comparator.comparing(Sandbox::createdAt, NEWEST_FIRST))
                .toList();
    containers =
        containers == null
            ? List.of()
            : containers.stream()
                .sorted(Comparator.comparing(Container::createdAt, NEWEST_FIRST))
                .toList();
  }

  private static final Comparator<Instant> NEWEST_FIRST =
      Comparator.nullsLast(Comparator.<Instant>reverseOrder());

  /** Nothing in the runtime for this pod. */
  public static ObservedPod empty(String uid) {
    return new ObservedPod(uid, List.of(), List.of());
  }

  /** The newest instance of container {@code name} ({@code FindContainerStatusByName}). */
  public Optional<Container> latest(String name) {
    return containers.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** The newest exited instance of container {@code name}. */
  public Optional<Container> latestExited(String name) {
    return containers.stream()
        .filter(c -> c.name().equals(name) && c.state() == ContainerState.EXITED)
        .findFirst();
  }

  /** The primary and further IPs of the newest sandbox (empty when none). */
  public List<String> podIps() {
    if (sandboxes.isEmpty() || sandboxes.get(0).ip().isEmpty()) {
      return List.of();
    }
    Sandbox s = sandboxes.get(0);
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of(s.ip()), s.additionalIps().stream())
        .toList();
  }

  /**
   * A sandbox of the pod.
   *
   * @param network the network namespace mode it runs with, {@code null} when not reported
   * @param ip primary IP; empty for host-network pods or before networking is set up
   */
  public record Sandbox(
      String id,
      int attempt,
      PodSandboxState state,
      Instant createdAt,
      String ip,
      List<String> additionalIps,
      NamespaceMode network) {
    public Sandbox {
      ip = ip == null ? "" : ip;
      additionalIps = additionalIps == null ? List.of() : List.copyOf(additionalIps);
    }

    public boolean ready() {
      return state == PodSandboxState.READY;
    }
  }

  /**
   * A container instance of the pod.
   *
   * @param hash the spec hash it was created with ({@link SpecHash}), empty when unknown
   * @param restartCount from the {@code io.kubernetes.container.restartCount} annotation
   * @param exitCode meaningful once {@code finishedAt} is set
   */
  public record Container(
      String id,
      String name,
      String sandboxId,
      ContainerState state,
      int exitCode,
      String reason,
      String message,
      String hash,
      int restartCount,
      Instant createdAt,
      Instant startedAt,
      Instant finishedAt,
      String image,
      String imageRef) {
    public Container {
      state = state == null ? ContainerState.UNKNOWN : state;
      reason = reason == null ? "" : reason;
      message = message == null ? "" : message;
      hash = hash == null ? "" : hash;
      image = image == null ? "" : image;
      imageRef = imageRef == null ? "" : imageRef;
    }
  }
}
