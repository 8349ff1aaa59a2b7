package io.berth.agent.volume;

/**
 * A volume could not be set up or a mount could not be resolved; the message names the pod's volume
 * (and the container for mounts) as the kubelet's events do.
 */
public final class VolumeException extends Exception {
  private static final long serialVersionUID = 1L;

  public VolumeException(String message) {
    super(message);
  }

  public VolumeException(String message, Throwable cause) {
    super(message, cause);
  }
}
