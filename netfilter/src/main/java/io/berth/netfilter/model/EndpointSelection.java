package io.berth.netfilter.model;

import java.util.List;
import java.util.function.Predicate;

/**
 * Which endpoints receive traffic, following kube-proxy's {@code CategorizeEndpoints}: ready
 * endpoints; when there are none, serving-and-terminating ones (graceful termination); with a
 * {@link TrafficPolicy#LOCAL} policy only endpoints on this node.
 */
public final class EndpointSelection {
  private EndpointSelection() {}

  /** Endpoints for traffic that follows {@code policy}. */
  public static List<Endpoint> select(List<Endpoint> all, TrafficPolicy policy) {
    Predicate<Endpoint> scope = policy == TrafficPolicy.LOCAL ? Endpoint::local : e -> true;
    List<Endpoint> ready = all.stream().filter(scope).filter(Endpoint::ready).toList();
    if (!ready.isEmpty()) {
      return ready;
    }
    return all.stream().filter(scope).filter(e -> e.serving() && e.terminating()).toList();
  }

  /** Whether the port has any endpoint that could serve (used to choose REJECT vs DROP). */
  public static boolean hasAnyUsable(List<Endpoint> all) {
    return !select(all, TrafficPolicy.CLUSTER).isEmpty();
  }
}
