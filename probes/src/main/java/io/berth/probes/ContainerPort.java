package io.berth.probes;

import java.util.List;
import java.util.Objects;

/**
 * A named container port, as in {@code containers[].ports[]}: the caller resolves a probe's named
 * port against these pairs before building a {@link ProbeHandler}.
 */
public record ContainerPort(String name, int port) {

  public ContainerPort {
    Objects.requireNonNull(name, "name");
    checkPort(port);
  }

  /**
   * Resolves a probe's {@code port} (IntOrString) as the kubelet does: a name of one of the
   * container's ports first, then a number written as a string.
   *
   * @throws IllegalArgumentException naming the port when it is neither a known name nor a valid
   *     number
   */
  public static int resolve(String nameOrNumber, List<ContainerPort> ports) {
    Objects.requireNonNull(nameOrNumber, "nameOrNumber");
    for (ContainerPort p : ports) {
      if (p.name.equals(nameOrNumber)) {
        return p.port;
      }
    }
    int port;
    try {
      port = Integer.parseInt(nameOrNumber);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "probe port " + nameOrNumber + " is not a named port of the container " + ports, e);
    }
    return checkPort(port);
  }

  static int checkPort(int port) {
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("invalid port number: " + port);
    }
    return port;
  }
}
