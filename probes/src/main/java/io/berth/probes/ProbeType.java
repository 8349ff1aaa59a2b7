package io.berth.probes;

/** The three kinds of container probe Kubernetes defines. */
public enum ProbeType {
  LIVENESS("Liveness"),
  READINESS("Readiness"),
  STARTUP("Startup");

  private final String label;

  ProbeType(String label) {
    this.label = label;
  }

  /** The kubelet's spelling, used as the {@code probe_type} metric label. */
  public String label() {
    return label;
  }

  /** Whether a failure past the threshold means the container must be restarted. */
  public boolean restartsOnFailure() {
    return this != READINESS;
  }
}
