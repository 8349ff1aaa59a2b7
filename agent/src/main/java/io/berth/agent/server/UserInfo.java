package io.berth.agent.server;

import java.util.List;

/** Who a request comes from, as Kubernetes names users: a name, a uid (may be empty), groups. */
public record UserInfo(String name, String uid, List<String> groups) {
  public static final UserInfo ANONYMOUS =
      new UserInfo("system:anonymous", "", List.of("system:unauthenticated"));

  public UserInfo {
    groups = List.copyOf(groups);
  }
}
