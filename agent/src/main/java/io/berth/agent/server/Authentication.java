package io.berth.agent.server;

/** What authentication made of a request. */
public sealed interface Authentication {
  /** A known user. */
  record Authenticated(UserInfo user) implements Authentication {}

  /**
   * Credentials were given and rejected, or none were given and anonymous requests are off: 401.
   *
   * @param why for berth's log only; never sent to the client
   */
  record Refused(String why) implements Authentication {}
}
