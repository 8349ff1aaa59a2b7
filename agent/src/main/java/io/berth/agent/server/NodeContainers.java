package io.berth.agent.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.cri.Container;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxFilter;
import io.berth.cri.PodSandboxState;
import io.berth.cri.RuntimeService;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What the node API needs to know about berth's pods: a container's runtime id and whether it runs
 * (from the pod statuses berth reports), a pod's ready sandbox, and the runtime pods for {@code
 * /runningpods/} (from the runtime itself, as the kubelet's runtime cache).
 *
 * <p>Thread safety: reads snapshots; safe for concurrent requests.
 */
public final class NodeContainers {
  /** One container of a pod as berth last saw it. */
  public record Located(String id, boolean running) {}

  private final Supplier<PodList> pods;
  private final Supplier<RuntimeService> runtime;
  private final ObjectMapper json;

  public NodeContainers(
      Supplier<PodList> pods, Supplier<RuntimeService> runtime, ObjectMapper json) {
    this.pods = pods;
    this.runtime = runtime;
    this.json = json;
  }

  RuntimeService runtime() {
    return runtime.get();
  }

  /** The container {@code name} of pod {@code namespace/pod}, if it has a runtime id. */
  public Optional<Located> container(String namespace, String pod, String name) {
    return pod(namespace, pod)
        .flatMap(
            p ->
                statuses(p)
                    .filter(s -> name.equals(s.getName()))
                    .filter(s -> s.getContainerID() != null && !s.getContainerID().isEmpty())
                    .findFirst())
        .map(NodeContainers::located);
  }

  /**
   * The log file of container {@code name}, chosen as the kubelet's {@code GetContainerLogs} does:
   * with {@code previous} the instance of {@code lastState.terminated}; otherwise the running one,
   * else the terminated one, else (waiting, e.g. in CrashLoopBackOff) the last terminated one. The
   * path is the runtime's ({@code ContainerStatus.logPath}).
   *
   * @return empty when there is no such container or instance
   */
  public Optional<Path> logFile(String namespace, String pod, String name, boolean previous) {
    Optional<ContainerStatus> status =
        pod(namespace, pod)
            .flatMap(p -> statuses(p).filter(s -> name.equals(s.getName())).findFirst());
    if (status.isEmpty()) {
      return Optional.empty();
    }
    ContainerStatus s = status.get();
    String id = null;
    var last = s.getLastState() == null ? null : s.getLastState().getTerminated();
    if (previous) {
      id = last == null ? null : last.getContainerID();
    } else if (s.getState() != null && s.getState().getRunning() != null) {
      id = s.getContainerID();
    } else if (s.getState() != null && s.getState().getTerminated() != null) {
      id = s.getState().getTerminated().getContainerID();
    } else if (last != null) {
      id = last.getContainerID();
    }
    if (id == null || id.isEmpty()) {
      return Optional.empty();
    }
    String logPath = runtime.get().containerStatus(runtimeId(id)).logPath();
    return logPath.isEmpty() ? Optional.empty() : Optional.of(Path.of(logPath));
  }

  private static Stream<ContainerStatus> statuses(Pod p) {
    return Stream.of(
            p.getStatus().getContainerStatuses(),
            p.getStatus().getInitContainerStatuses(),
            p.getStatus().getEphemeralContainerStatuses())
        .filter(java.util.Objects::nonNull)
        .flatMap(List::stream);
  }

  private static String runtimeId(String containerId) {
    int scheme = containerId.indexOf("://");
    return scheme < 0 ? containerId : containerId.substring(scheme + 3);
  }

  /** Whether pod {@code namespace/pod} is one of berth's. */
  public boolean hasPod(String namespace, String pod) {
    return pod(namespace, pod).isPresent();
  }

  private Optional<Pod> pod(String namespace, String name) {
    return pods.get().getItems().stream()
        .filter(p -> p.getStatus() != null)
        .filter(p -> namespace.equals(p.getMetadata().getNamespace()))
        .filter(p -> name.equals(p.getMetadata().getName()))
        .findFirst();
  }

  private static Located located(ContainerStatus s) {
    return new Located(
        runtimeId(s.getContainerID()), s.getState() != null && s.getState().getRunning() != null);
  }

  /** The ready sandbox of pod {@code namespace/pod}. */
  public Optional<String> sandbox(String namespace, String pod) {
    return runtime.get().listPodSandbox(PodSandboxFilter.all()).stream()
        .filter(s -> s.state() == PodSandboxState.READY)
        .filter(s -> namespace.equals(s.metadata().namespace()))
        .filter(s -> pod.equals(s.metadata().name()))
        .map(PodSandbox::id)
        .findFirst();
  }

  /** The kubelet's {@code /runningpods/}: a v1 PodList of the runtime's ready pods. */
  public String runningPods() {
    RuntimeService rt = runtime.get();
    Map<String, ObjectNode> bySandbox = new LinkedHashMap<>();
    ObjectNode list = json.createObjectNode();
    list.put("kind", "PodList").put("apiVersion", "v1").putObject("metadata");
    ArrayNode items = list.putArray("items");
    for (PodSandbox s : rt.listPodSandbox(PodSandboxFilter.all())) {
      if (s.state() != PodSandboxState.READY) {
        continue;
      }
      ObjectNode pod = items.addObject();
      pod.putObject("metadata")
          .put("name", s.metadata().name())
          .put("namespace", s.metadata().namespace())
          .put("uid", s.metadata().uid())
          .put("creationTimestamp", (String) null);
      pod.putObject("spec").putArray("containers");
      pod.putObject("status");
      bySandbox.put(s.id(), pod);
    }
    for (Container c : rt.listContainers(ContainerFilter.all())) {
      ObjectNode pod = bySandbox.get(c.podSandboxId());
      if (pod != null && c.state() == ContainerState.RUNNING) {
        ((ArrayNode) pod.path("spec").path("containers"))
            .addObject()
            .put("name", c.metadata().name())
            .put("image", c.image().image())
            .putObject("resources");
      }
    }
    try {
      return json.writeValueAsString(list);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot render /runningpods/", e);
    }
  }
}
