package io.berth.agent.probe;

import io.berth.probes.ContainerPort;
import io.berth.probes.ContainerProbes;
import io.berth.probes.ProbeHandler;
import io.berth.probes.ProbeSpec;
import io.berth.probes.ProbeType;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A container's {@code livenessProbe}, {@code readinessProbe} and {@code startupProbe} (fabric8
 * model, defaults applied) as the probes library's {@link ProbeSpec}s: named ports resolved against
 * the container's ports, the {@code host} field kept (empty means the pod IP), headers, scheme and
 * gRPC service carried over.
 */
public final class ProbeSpecs {
  private ProbeSpecs() {}

  /**
   * The probes of one container.
   *
   * @param invalid the probes that cannot run, with the reason; they are absent from {@code probes}
   */
  public record Converted(ContainerProbes probes, Map<ProbeType, InvalidProbeException> invalid) {
    public Converted {
      invalid = Map.copyOf(invalid);
    }

    /** True when the container declares no probe at all. */
    public boolean isEmpty() {
      return probes.liveness().isEmpty()
          && probes.readiness().isEmpty()
          && probes.startup().isEmpty()
          && invalid.isEmpty();
    }
  }

  /** Converts every probe of {@code c}; a bad probe lands in {@link Converted#invalid()}. */
  public static Converted of(Container c) {
    ContainerProbes probes = ContainerProbes.none();
    Map<ProbeType, InvalidProbeException> invalid = new EnumMap<>(ProbeType.class);
    for (ProbeType type : ProbeType.values()) {
      Probe p =
          switch (type) {
            case LIVENESS -> c.getLivenessProbe();
            case READINESS -> c.getReadinessProbe();
            case STARTUP -> c.getStartupProbe();
          };
      if (p == null) {
        continue;
      }
      try {
        ProbeSpec spec = spec(c, type, p);
        probes =
            switch (type) {
              case LIVENESS -> probes.withLiveness(spec);
              case READINESS -> probes.withReadiness(spec);
              case STARTUP -> probes.withStartup(spec);
            };
      } catch (InvalidProbeException e) {
        invalid.put(type, e);
      }
    }
    return new Converted(probes, invalid);
  }

  /** One probe; throws {@link InvalidProbeException} naming the container and probe type. */
  static ProbeSpec spec(Container c, ProbeType type, Probe p) {
    try {
      ProbeSpec spec =
          ProbeSpec.of(handler(c, p))
              .withInitialDelaySeconds(orDefault(p.getInitialDelaySeconds(), 0))
              .withPeriodSeconds(orDefault(p.getPeriodSeconds(), ProbeSpec.DEFAULT_PERIOD_SECONDS))
              .withTimeoutSeconds(
                  orDefault(p.getTimeoutSeconds(), ProbeSpec.DEFAULT_TIMEOUT_SECONDS))
              .withSuccessThreshold(
                  orDefault(p.getSuccessThreshold(), ProbeSpec.DEFAULT_SUCCESS_THRESHOLD))
              .withFailureThreshold(
                  orDefault(p.getFailureThreshold(), ProbeSpec.DEFAULT_FAILURE_THRESHOLD));
      if (p.getTerminationGracePeriodSeconds() != null) {
        spec = spec.withTerminationGracePeriodSeconds(p.getTerminationGracePeriodSeconds());
      }
      return spec.validateFor(type);
    } catch (IllegalArgumentException e) {
      throw new InvalidProbeException(c.getName(), type, e.getMessage(), e);
    }
  }

  private static ProbeHandler handler(Container c, Probe p) {
    List<String> actions = new ArrayList<>();
    ProbeHandler h = null;
    if (p.getExec() != null) {
      actions.add("exec");
      List<String> command = p.getExec().getCommand();
      h = new ProbeHandler.Exec(command == null ? List.of() : command);
    }
    if (p.getHttpGet() != null) {
      actions.add("httpGet");
      var g = p.getHttpGet();
      var scheme = scheme(g.getScheme());
      String path = g.getPath() == null || g.getPath().isEmpty() ? "/" : g.getPath();
      List<ProbeHandler.HttpHeader> headers =
          g.getHttpHeaders() == null
              ? List.of()
              : g.getHttpHeaders().stream()
                  .map(x -> new ProbeHandler.HttpHeader(x.getName(), x.getValue()))
                  .toList();
      h = new ProbeHandler.Http(scheme, host(g.getHost()), port(c, g.getPort()), path, headers);
    }
    if (p.getTcpSocket() != null) {
      actions.add("tcpSocket");
      var t = p.getTcpSocket();
      h = new ProbeHandler.Tcp(host(t.getHost()), port(c, t.getPort()));
    }
    if (p.getGrpc() != null) {
      actions.add("grpc");
      var g = p.getGrpc();
      if (g.getPort() == null) {
        throw new IllegalArgumentException("grpc.port is required");
      }
      h =
          new ProbeHandler.Grpc(
              g.getPort(), Optional.ofNullable(g.getService()).filter(s -> !s.isEmpty()));
    }
    if (actions.size() != 1) {
      throw new IllegalArgumentException(
          actions.isEmpty()
              ? "needs one of exec, httpGet, tcpSocket or grpc"
              : "may specify only one action, got " + actions);
    }
    return h;
  }

  private static ProbeHandler.Scheme scheme(String s) {
    if (s == null || s.isEmpty()) {
      return ProbeHandler.Scheme.HTTP;
    }
    return switch (s.toUpperCase(Locale.ROOT)) {
      case "HTTP" -> ProbeHandler.Scheme.HTTP;
      case "HTTPS" -> ProbeHandler.Scheme.HTTPS;
      default -> throw new IllegalArgumentException("unsupported scheme \"" + s + "\"");
    };
  }

  private static int port(Container c, IntOrString port) {
    if (port == null) {
      throw new IllegalArgumentException("port is required");
    }
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    List<ContainerPort> named =
        c.getPorts() == null
            ? List.of()
            : c.getPorts().stream()
                .filter(p -> p.getName() != null && p.getContainerPort() != null)
                .map(p -> new ContainerPort(p.getName(), p.getContainerPort()))
                .toList();
    return ContainerPort.resolve(port.getStrVal(), named);
  }

  private static Optional<String> host(String host) {
    return Optional.ofNullable(host).filter(h -> !h.isEmpty());
  }

  private static int orDefault(Integer v, int d) {
    return v == null ? d : v;
  }
}
