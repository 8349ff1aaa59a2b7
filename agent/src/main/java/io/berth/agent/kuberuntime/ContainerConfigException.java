package io.berth.agent.kuberuntime;

/**
 * The container's config cannot be generated (missing ConfigMap/Secret key, bad field path, ...);
 * the kubelet reports the container as waiting with reason {@link #REASON}.
 */
public final class ContainerConfigException extends RuntimeException {
  /** The waiting reason the kubelet shows for this error. */
  public static final String REASON = "CreateContainerConfigError";

  private final String containerName;

  public ContainerConfigException(String containerName, String message) {
    super(message);
    this.containerName = containerName;
  }

  public String containerName() {
    return containerName;
  }

  public String reason() {
    return REASON;
  }
}
