package io.berth.agent.pod;

/** A pod cgroup could not be created, sized or removed; the message names pod and path. */
public final class PodCgroupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PodCgroupException(String message, Throwable cause) {
    super(message, cause);
  }
}
