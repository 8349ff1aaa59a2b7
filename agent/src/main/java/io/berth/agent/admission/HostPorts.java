package io.berth.agent.admission;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * hostPort admission: a pod's {@code hostPort}s must not clash with another admitted pod's (same
 * protocol and port, and the same host IP or either one the wildcard — the scheduler's NodePorts
 * check), and, for pods with their own network namespace, must not be bound by a process on the
 * node already (the CNI portmap plugin would DNAT the port while the node's listener keeps its own
 * traffic, which nobody would notice until requests went astray).
 */
final class HostPorts {
  static final String REASON = "NodePorts";

  /** One requested host port. */
  record HostPort(String protocol, String hostIp, int port) {
    boolean clashes(HostPort o) {
      return protocol.equals(o.protocol)
          && port == o.port
          && (hostIp.equals(o.hostIp) || wildcard(hostIp) || wildcard(o.hostIp));
    }

    private static boolean wildcard(String ip) {
      return ip.isEmpty() || ip.equals("0.0.0.0") || ip.equals("::");
    }

    @Override
    public String toString() {
      return protocol + "/" + (hostIp.isEmpty() ? "0.0.0.0" : hostIp) + ":" + port;
    }
  }

  /** A probe of whether a port is free on the node; replaced in unit tests. */
  interface PortProbe {
    boolean inUse(HostPort p);
  }

  private final PortProbe probe;

  HostPorts(PortProbe probe) {
    this.probe = probe;
  }

  Optional<Admission.Reject> check(Pod pod, List<Pod> admitted) {
    List<HostPort> wanted = of(pod);
    for (HostPort w : wanted) {
      for (Pod other : admitted) {
        for (HostPort o : of(other)) {
          if (w.clashes(o)) {
            return Optional.of(
                reject(
                    w
                        + " is already used by pod "
                        + other.getMetadata().getNamespace()
                        + "/"
                        + other.getMetadata().getName()));
          }
        }
      }
      if (!Boolean.TRUE.equals(pod.getSpec().getHostNetwork()) && probe.inUse(w)) {
        return Optional.of(reject(w + " is already bound by a process on the node"));
      }
    }
    return Optional.empty();
  }

  private static Admission.Reject reject(String why) {
    return new Admission.Reject(
        REASON, "node(s) didn't have free ports for the requested pod ports: " + why);
  }

  static List<HostPort> of(Pod pod) {
    List<HostPort> out = new ArrayList<>();
    List<Container> all = new ArrayList<>();
    if (pod.getSpec().getInitContainers() != null) {
      all.addAll(pod.getSpec().getInitContainers());
    }
    if (pod.getSpec().getContainers() != null) {
      all.addAll(pod.getSpec().getContainers());
    }
    boolean hostNet = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    for (Container c : all) {
      for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
        Integer port = p.getHostPort();
        if ((port == null || port == 0) && hostNet) {
          port = p.getContainerPort();
        }
        if (port != null && port > 0) {
          out.add(
              new HostPort(
                  p.getProtocol() == null ? "TCP" : p.getProtocol(),
                  p.getHostIP() == null ? "" : p.getHostIP(),
                  port));
        }
      }
    }
    return out;
  }

  /** Tries to bind the port for a moment (TCP and UDP; SCTP is not checked). */
  static final PortProbe BIND =
      p -> {
        try {
          InetAddress ip = InetAddress.getByName(p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp());
          try (NetworkChannel ch =
              switch (p.protocol()) {
                case "UDP" -> DatagramChannel.open();
                case "TCP" -> ServerSocketChannel.open();
                default -> null;
              }) {
            if (ch != null) {
              ch.bind(new InetSocketAddress(ip, p.port()));
            }
          }
          return false;
        } catch (IOException e) {
          return true;
        }
      };
}
