package io.berth.cri;

/**
 * Scope of a Linux namespace: shared by the pod, private to a container, the node's, or another
 * container's.
 */
public enum NamespaceMode {
  POD,
  CONTAINER,
  NODE,
  TARGET
}
