package io.berth.cri;

/** A host path mounted into a container. */
public record Mount(
    String containerPath,
    String hostPath,
    boolean readonly,
    boolean selinuxRelabel,
    Propagation propagation) {
  /** Mount propagation: rprivate, rslave or rshared in Linux terms. */
  public enum Propagation {
    PRIVATE,
    HOST_TO_CONTAINER,
    BIDIRECTIONAL
  }

  public Mount {
    containerPath = Copies.str(containerPath);
    hostPath = Copies.str(hostPath);
    propagation = propagation == null ? Propagation.PRIVATE : propagation;
  }

  /** A private bind mount. */
  public static Mount bind(String hostPath, String containerPath, boolean readonly) {
    return new Mount(containerPath, hostPath, readonly, false, Propagation.PRIVATE);
  }
}
