package io.berth.probes;

import java.util.Objects;
import java.util.Optional;

/**
 * The probes a container declares ({@code livenessProbe}, {@code readinessProbe}, {@code
 * startupProbe}).
 */
public record ContainerProbes(
    Optional<ProbeSpec> liveness, Optional<ProbeSpec> readiness, Optional<ProbeSpec> startup) {

  public ContainerProbes {
    Objects.requireNonNull(liveness, "liveness");
    Objects.requireNonNull(readiness, "readiness");
    Objects.requireNonNull(startup, "startup");
    liveness.ifPresent(s -> s.validateFor(ProbeType.LIVENESS));
    startup.ifPresent(s -> s.validateFor(ProbeType.STARTUP));
  }

  public static ContainerProbes none() {
    return new ContainerProbes(Optional.empty(), Optional.empty(), Optional.empty());
  }

  public ContainerProbes withLiveness(ProbeSpec s) {
    return new ContainerProbes(Optional.of(s), readiness, startup);
  }

  public ContainerProbes withReadiness(ProbeSpec s) {
    return new ContainerProbes(liveness, Optional.of(s), startup);
  }

  public ContainerProbes withStartup(ProbeSpec s) {
    return new ContainerProbes(liveness, readiness, Optional.of(s));
  }

  Optional<ProbeSpec> get(ProbeType type) {
    return switch (type) {
      case LIVENESS -> liveness;
      case READINESS -> readiness;
      case STARTUP -> startup;
    };
  }
}
