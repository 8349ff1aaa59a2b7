package io.berth.netfilter.model;

import java.time.Duration;

/** Service session affinity: none, or ClientIP with a timeout (Kubernetes default 10800 s). */
public sealed interface SessionAffinity {

  /** No affinity: every new connection picks an endpoint at random. */
  record None() implements SessionAffinity {}

  /** A client address sticks to one endpoint until it has been idle for {@code timeout}. */
  record ClientIp(Duration timeout) implements SessionAffinity {
    public ClientIp {
      if (timeout.isNegative() || timeout.isZero() || timeout.toSeconds() > 86_400) {
        throw new IllegalArgumentException("ClientIP timeout must be in (0, 86400] s: " + timeout);
      }
    }
  }

  SessionAffinity NONE = new None();

  /** ClientIP affinity with the Kubernetes default timeout of three hours. */
  static SessionAffinity clientIp() {
    return new ClientIp(Duration.ofSeconds(10_800));
  }
}
