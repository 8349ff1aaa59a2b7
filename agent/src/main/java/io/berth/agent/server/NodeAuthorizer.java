package io.berth.agent.server;

import java.time.Clock;
import java.time.Duration;

/** Decides whether a user may make a node API request. */
@FunctionalInterface
public interface NodeAuthorizer {
  /** The answer; {@code reason} is for berth's log and the API server's, never the client. */
  record Decision(boolean allowed, String reason) {}

  /**
   * @throws NodeApiException.Unavailable when the decision cannot be made (never cached)
   */
  Decision authorize(UserInfo user, NodeRequestAttributes request);

  /** The kubelet's AlwaysAllow: every authenticated request passes. */
  static NodeAuthorizer alwaysAllow() {
    return (user, request) -> new Decision(true, "AlwaysAllow");
  }

  /** {@code delegate}'s answers cached, allowed and denied for their own TTLs (kubelet: 5m/30s). */
  static NodeAuthorizer cached(
      NodeAuthorizer delegate, Duration allowedTtl, Duration deniedTtl, Clock clock) {
    record Key(UserInfo user, NodeRequestAttributes request) {}
    TtlCache<Key, Decision> cache =
        new TtlCache<>(clock, 10_000, d -> d.allowed() ? allowedTtl : deniedTtl);
    return (user, request) ->
        cache.get(new Key(user, request), k -> delegate.authorize(k.user(), k.request()));
  }
}
