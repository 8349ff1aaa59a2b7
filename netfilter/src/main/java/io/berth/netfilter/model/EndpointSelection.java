package io.berth.netfilter.model;

import java.util.List;
import java.util.function.Predicate;

/**
 * Which endpoints receive traffic, following kube-proxy's {@code CategorizeEndpoints}: ready
 * endpoints; when there are none, serving-and-terminating ones (graceful termination); with a
 * {@link TrafficPolicy#LOCAL} policy only endpoints on this node.
 *
 * <p>Topology (kube-proxy ≥ 1.31's {@code topologyModeFromHints}): for {@link
 * TrafficPolicy#CLUSTER} traffic, when every ready endpoint carries zone hints and at least one is
 * hinted for this node's zone, only the ready endpoints hinted for this zone are used (mode {@code
 * PreferClose}, which the endpointslice controller sets up for {@code
 * service.kubernetes.io/topology-mode: Auto} and {@code trafficDistribution: PreferClose}).
 * Otherwise hints are ignored. The serving-and-terminating fallback and {@code Local} policies do
 * not look at hints.
 */
public final class EndpointSelection {
  private EndpointSelection() {}

  /** Endpoints for traffic that follows {@code policy}, on a node without a zone. */
  public static List<Endpoint> select(List<Endpoint> all, TrafficPolicy policy) {
    return select(all, policy, "");
  }

  /** Endpoints for traffic that follows {@code policy} on a node in {@code zone} ("" for none). */
  public static List<Endpoint> select(List<Endpoint> all, TrafficPolicy policy, String zone) {
    Predicate<Endpoint> scope = policy == TrafficPolicy.LOCAL ? Endpoint::local : e -> true;
    if (policy == TrafficPolicy.CLUSTER && preferClose(all, zone)) {
      scope = e -> e.zoneHints().contains(zone);
    }
    List<Endpoint> ready = all.stream().filter(scope).filter(Endpoint::ready).toList();
    if (!ready.isEmpty()) {
      return ready;
    }
    Predicate<Endpoint> fallbackScope = policy == TrafficPolicy.LOCAL ? Endpoint::local : e -> true;
    return all.stream().filter(fallbackScope).filter(e -> e.serving() && e.terminating()).toList();
  }

  /** Whether zone hints apply: all ready endpoints have some, one of them names {@code zone}. */
  static boolean preferClose(List<Endpoint> all, String zone) {
    boolean forZone = false;
    for (Endpoint e : all) {
      if (!e.ready()) {
        continue;
      }
      if (e.zoneHints().isEmpty()) {
        return false;
      }
      forZone |= !zone.isEmpty() && e.zoneHints().contains(zone);
    }
    return forZone;
  }

  /** Whether the port has any endpoint that could serve (used to choose REJECT vs DROP). */
  public static boolean hasAnyUsable(List<Endpoint> all) {
    return !select(all, TrafficPolicy.CLUSTER).isEmpty();
  }
}
