package io.berth.agent.probe;

import io.berth.probes.ProbeType;

/**
 * A container's probe that berth cannot run, e.g. a named port the container does not declare or no
 * action. The probe is then treated as never succeeding (the kubelet's prober returns {@code
 * Unknown} every time): the container is never started or ready through it, and never restarted.
 */
public final class InvalidProbeException extends RuntimeException {
  private final String container;
  private final ProbeType type;

  public InvalidProbeException(String container, ProbeType type, String reason, Throwable cause) {
    super(type.label() + " probe of container " + container + ": " + reason, cause);
    this.container = container;
    this.type = type;
  }

  public String container() {
    return container;
  }

  public ProbeType type() {
    return type;
  }
}
