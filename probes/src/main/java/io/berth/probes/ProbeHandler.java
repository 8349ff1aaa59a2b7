package io.berth.probes;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a probe does: the {@code tcpSocket}, {@code httpGet}, {@code grpc} or {@code exec} action of
 * a Kubernetes {@code Probe}. Ports are numbers: a named port is resolved by the caller against the
 * container's ports with {@link ContainerPort#resolve}.
 */
public sealed interface ProbeHandler {

  /** {@code tcpSocket}: success when a TCP connection is established. Empty host = the pod IP. */
  record Tcp(Optional<String> host, int port) implements ProbeHandler {
    public Tcp {
      Objects.requireNonNull(host, "host");
      ContainerPort.checkPort(port);
    }

    public static Tcp of(int port) {
      return new Tcp(Optional.empty(), port);
    }
  }

  /** URI scheme of an HTTP probe. HTTPS does not verify the server's certificate. */
  enum Scheme {
    HTTP,
    HTTPS
  }

  /** One entry of {@code httpHeaders}; a {@code Host} header overrides the request's host. */
  record HttpHeader(String name, String value) {
    public HttpHeader {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * {@code httpGet}: success when the status is 200–399. Empty host = the pod IP; the path may
   * carry a query string.
   */
  record Http(Scheme scheme, Optional<String> host, int port, String path, List<HttpHeader> headers)
      implements ProbeHandler {
    public Http {
      Objects.requireNonNull(scheme, "scheme");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(path, "path");
      ContainerPort.checkPort(port);
      headers = List.copyOf(headers);
    }

    public static Http get(int port, String path) {
      return new Http(Scheme.HTTP, Optional.empty(), port, path, List.of());
    }
  }

  /**
   * {@code grpc}: calls {@code grpc.health.v1.Health/Check} on the pod IP; SERVING is success. An
   * empty service asks about the server as a whole.
   */
  record Grpc(int port, Optional<String> service) implements ProbeHandler {
    public Grpc {
      Objects.requireNonNull(service, "service");
      ContainerPort.checkPort(port);
    }
  }

  /** {@code exec}: runs the command in the container through the CRI; exit code 0 is success. */
  record Exec(List<String> command) implements ProbeHandler {
    public Exec {
      command = List.copyOf(command);
      if (command.isEmpty()) {
        throw new IllegalArgumentException("exec probe needs a command");
      }
    }
  }
}
