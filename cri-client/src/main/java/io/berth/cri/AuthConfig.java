package io.berth.cri;

/** Registry credentials for {@code PullImage}; {@link #toString()} never shows secrets. */
public record AuthConfig(
    String username,
    String password,
    String auth,
    String serverAddress,
    String identityToken,
    String registryToken) {
  public AuthConfig {
    username = Copies.str(username);
    password = Copies.str(password);
    auth = Copies.str(auth);
    serverAddress = Copies.str(serverAddress);
    identityToken = Copies.str(identityToken);
    registryToken = Copies.str(registryToken);
  }

  public static AuthConfig basic(String serverAddress, String username, String password) {
    return new AuthConfig(username, password, "", serverAddress, "", "");
  }

  @Override
  public String toString() {
    return "AuthConfig[serverAddress="
        + serverAddress
        + ", username="
        + username
        + ", secrets=<redacted>]";
  }
}
