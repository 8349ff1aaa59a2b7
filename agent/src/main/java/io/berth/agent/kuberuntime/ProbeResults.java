package io.berth.agent.kuberuntime;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The latest liveness and startup probe results by container id (the kubelet's liveness and startup
 * result managers). A container without an entry has no result yet.
 */
public record ProbeResults(Map<String, Result> liveness, Map<String, Result> startup) {
  public ProbeResults {
    liveness = liveness == null ? Map.of() : Map.copyOf(liveness);
    startup = startup == null ? Map.of() : Map.copyOf(startup);
  }

  /** A probe outcome. */
  public enum Result {
    SUCCESS,
    FAILURE
  }

  public static ProbeResults none() {
    return new ProbeResults(Map.of(), Map.of());
  }

  /** Only liveness failures, for these container ids. */
  public static ProbeResults livenessFailed(Set<String> containerIds) {
    return new ProbeResults(
        containerIds.stream().collect(Collectors.toMap(id -> id, id -> Result.FAILURE)), Map.of());
  }

  Result livenessOf(String id) {
    return liveness.get(id);
  }

  Result startupOf(String id) {
    return startup.get(id);
  }
}
