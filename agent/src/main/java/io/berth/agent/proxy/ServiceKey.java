package io.berth.agent.proxy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Objects;

/** A Service's namespace and name (kube-proxy's {@code types.NamespacedName}). */
public record ServiceKey(String namespace, String name) implements Comparable<ServiceKey> {
  public ServiceKey {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /** The key of an object's metadata; a missing namespace means {@code default}. */
  static ServiceKey of(ObjectMeta meta) {
    if (meta == null || meta.getName() == null || meta.getName().isEmpty()) {
      throw new IllegalArgumentException("object without metadata.name");
    }
    String ns = meta.getNamespace();
    return new ServiceKey(ns == null || ns.isEmpty() ? "default" : ns, meta.getName());
  }

  @Override
  public int compareTo(ServiceKey o) {
    int c = namespace.compareTo(o.namespace);
    return c != 0 ? c : name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
