package io.berth.netfilter.model;

/**
 * A service traffic policy ({@code externalTrafficPolicy} / {@code internalTrafficPolicy}). {@link
 * #LOCAL} routes only to endpoints on this node and preserves the client address.
 */
public enum TrafficPolicy {
  CLUSTER,
  LOCAL
}
