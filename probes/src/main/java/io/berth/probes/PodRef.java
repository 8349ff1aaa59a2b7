package io.berth.probes;

import java.util.Objects;

/**
 * The pod a probe belongs to; its fields are the {@code pod}, {@code namespace}, {@code pod_uid}
 * labels.
 */
public record PodRef(String uid, String namespace, String name) {
  public PodRef {
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  @Override
  public String toString() {
    return namespace + "/" + name + " (" + uid + ")";
  }
}
