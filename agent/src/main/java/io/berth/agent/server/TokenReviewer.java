package io.berth.agent.server;

import java.util.Optional;

/** Checks a bearer token, as the API server's TokenReview does. */
@FunctionalInterface
public interface TokenReviewer {
  /**
   * The user the token belongs to, or empty when the reviewer says it is not authenticated.
   *
   * @throws NodeApiException.Unavailable when the reviewer cannot be asked (never cached)
   */
  Optional<UserInfo> review(String token);
}
