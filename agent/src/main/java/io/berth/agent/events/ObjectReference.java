package io.berth.agent.events;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Objects;

/**
 * The object an event is about (core/v1 {@code ObjectReference}): a pod, one of its containers
 * (with the kubelet's field path {@code spec.containers{NAME}}) or the node.
 *
 * @param namespace empty for cluster-scoped objects (the event then goes to {@code default})
 * @param resourceVersion may be empty (not part of any correlation key)
 * @param fieldPath empty for the whole object
 */
public record ObjectReference(
    String kind,
    String apiVersion,
    String namespace,
    String name,
    String uid,
    String resourceVersion,
    String fieldPath) {

  public ObjectReference {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    apiVersion = apiVersion == null ? "" : apiVersion;
    namespace = namespace == null ? "" : namespace;
    uid = uid == null ? "" : uid;
    resourceVersion = resourceVersion == null ? "" : resourceVersion;
    fieldPath = fieldPath == null ? "" : fieldPath;
  }

  /** Which list of the pod spec a container is in; decides the field path. */
  public enum ContainerList {
    CONTAINERS("spec.containers"),
    INIT_CONTAINERS("spec.initContainers"),
    EPHEMERAL_CONTAINERS("spec.ephemeralContainers");

    private final String path;

    ContainerList(String path) {
      this.path = path;
    }
  }

  /** The pod itself (the kubelet's {@code ref.GetReference(pod)}). */
  public static ObjectReference pod(Pod pod) {
    var m = pod.getMetadata();
    return new ObjectReference(
        "Pod", "v1", m.getNamespace(), m.getName(), m.getUid(), m.getResourceVersion(), "");
  }

  /** The pod by its identity only (no resourceVersion). */
  public static ObjectReference pod(String namespace, String name, String uid) {
    return new ObjectReference("Pod", "v1", namespace, name, uid, "", "");
  }

  /** A container of the pod (the kubelet's {@code GenerateContainerRef}). */
  public static ObjectReference container(Pod pod, ContainerList list, String container) {
    return pod(pod).withFieldPath(list.path + "{" + container + "}");
  }

  /** A container of the pod, looked up in the spec's lists (regular containers when not found). */
  public static ObjectReference container(Pod pod, String container) {
    var spec = pod.getSpec();
    ContainerList list = ContainerList.CONTAINERS;
    if (spec != null && inList(spec.getInitContainers(), container)) {
      list = ContainerList.INIT_CONTAINERS;
    } else if (spec != null
        && !inList(spec.getContainers(), container)
        && spec.getEphemeralContainers() != null
        && spec.getEphemeralContainers().stream().anyMatch(e -> container.equals(e.getName()))) {
      list = ContainerList.EPHEMERAL_CONTAINERS;
    }
    return container(pod, list, container);
  }

  /** The node, as the kubelet refers to it: kind Node, uid = the node's name, no namespace. */
  public static ObjectReference node(String nodeName) {
    return new ObjectReference("Node", "", "", nodeName, nodeName, "", "");
  }

  /** The object's identity (kind, namespace, name, uid, apiVersion) as one correlation key part. */
  String identity() {
    return String.join("\u0000", kind, namespace, name, uid, apiVersion);
  }

  public ObjectReference withFieldPath(String path) {
    return new ObjectReference(kind, apiVersion, namespace, name, uid, resourceVersion, path);
  }

  private static boolean inList(
      java.util.List<io.fabric8.kubernetes.api.model.Container> list, String name) {
    return list != null && list.stream().anyMatch(c -> name.equals(c.getName()));
  }
}
