package io.berth.cri;

/** A host device made available in a container; permissions are some of {@code rwm}. */
public record Device(String containerPath, String hostPath, String permissions) {
  public Device {
    containerPath = Copies.str(containerPath);
    hostPath = Copies.str(hostPath);
    permissions = Copies.str(permissions);
  }
}
