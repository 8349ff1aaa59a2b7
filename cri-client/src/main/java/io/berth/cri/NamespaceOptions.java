package io.berth.cri;

/**
 * Network, PID and IPC namespace modes; {@code targetId} is the container whose namespace is joined
 * when a mode is {@link NamespaceMode#TARGET}.
 */
public record NamespaceOptions(
    NamespaceMode network, NamespaceMode pid, NamespaceMode ipc, String targetId) {
  public NamespaceOptions {
    network = network == null ? NamespaceMode.POD : network;
    pid = pid == null ? NamespaceMode.POD : pid;
    ipc = ipc == null ? NamespaceMode.POD : ipc;
    targetId = Copies.str(targetId);
  }

  /** What the kubelet sends for an ordinary pod: pod network and IPC, per-container PID. */
  public static NamespaceOptions podDefaults() {
    return new NamespaceOptions(NamespaceMode.POD, NamespaceMode.CONTAINER, NamespaceMode.POD, "");
  }

  /** A {@code hostNetwork: true} pod: the node's network namespace. */
  public static NamespaceOptions hostNetwork() {
    return new NamespaceOptions(NamespaceMode.NODE, NamespaceMode.CONTAINER, NamespaceMode.POD, "");
  }
}
