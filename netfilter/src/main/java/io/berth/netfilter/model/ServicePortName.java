package io.berth.netfilter.model;

import java.util.Objects;

/** Identifies one port of one Service, as kube-proxy does: {@code namespace/name:port}. */
public record ServicePortName(String namespace, String name, String port)
    implements Comparable<ServicePortName> {

  public ServicePortName {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(port, "port");
  }

  @Override
  public int compareTo(ServicePortName o) {
    int c = namespace.compareTo(o.namespace);
    if (c == 0) {
      c = name.compareTo(o.name);
    }
    return c != 0 ? c : port.compareTo(o.port);
  }

  @Override
  public String toString() {
    return namespace + "/" + name + (port.isEmpty() ? "" : ":" + port);
  }
}
