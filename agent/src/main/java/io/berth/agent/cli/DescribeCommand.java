package io.berth.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code berth describe pod NAME [-n NS] [-o json]}: one pod from berth's local API, laid out like
 * {@code kubectl describe pod}: metadata, each init and app container with its state, last state,
 * readiness and restarts, the pod's conditions. Events are not in berth's local API: in API mode
 * berth sends them to the API server ({@code kubectl describe pod} shows them), and says so.
 */
public final class DescribeCommand {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final PrintStream out;
  private final Palette palette;

  public DescribeCommand(PrintStream out, Palette palette) {
    this.out = out;
    this.palette = palette;
  }

  /**
   * Prints pod {@code name}: in {@code namespace} when given, else in {@code default}, else the one
   * pod of that name in any namespace.
   */
  public int run(LocalApi api, String namespace, String name, String output) {
    out.print(render(find(api.pods().getItems(), namespace, name), output));
    return 0;
  }

  /** The pod as text (like kubectl describe) or as JSON. */
  String render(Pod pod, String output) {
    return switch (output) {
      case "json" -> {
        try {
          yield JSON.writeValueAsString(pod) + "\n";
        } catch (JsonProcessingException e) {
          throw new CliException(
              "cannot render pod " + pod.getMetadata().getName() + " as JSON: " + e.getMessage());
        }
      }
      case "text" -> describe(pod);
      default ->
          throw new CliException("option -o/--output must be text or json, got '" + output + "'");
    };
  }

  static Pod find(List<Pod> pods, String namespace, String name) {
    List<Pod> named = pods.stream().filter(p -> name.equals(p.getMetadata().getName())).toList();
    List<Pod> matches =
        named.stream()
            .filter(
                p ->
                    p.getMetadata()
                        .getNamespace()
                        .equals(namespace == null ? "default" : namespace))
            .toList();
    if (matches.isEmpty() && namespace == null && named.size() == 1) {
      matches = named;
    }
    if (matches.size() == 1) {
      return matches.getFirst();
    }
    if (matches.size() > 1 || named.size() > 1) {
      throw new CliException(
          "pod "
              + name
              + " exists in several namespaces ("
              + named.stream()
                  .map(p -> p.getMetadata().getNamespace())
                  .collect(Collectors.joining(", "))
              + "); choose one with -n");
    }
    String known =
        pods.stream()
            .map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())
            .sorted()
            .collect(Collectors.joining(", "));
    throw new CliException(
        "pod \""
            + name
            + "\" not found"
            + (namespace == null ? "" : " in namespace " + namespace)
            + (known.isEmpty() ? "; berth runs no pods" : "; berth's pods: " + known));
  }

  String describe(Pod pod) {
    StringBuilder sb = new StringBuilder();
    var meta = pod.getMetadata();
    PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    field(sb, 0, "Name", meta.getName());
    field(sb, 0, "Namespace", meta.getNamespace());
    field(
        sb,
        0,
        "Priority",
        pod.getSpec().getPriority() == null ? "0" : pod.getSpec().getPriority().toString());
    field(
        sb,
        0,
        "Node",
        orNone(pod.getSpec().getNodeName())
            + (status.getHostIP() == null ? "" : "/" + status.getHostIP()));
    field(sb, 0, "Start Time", time(status.getStartTime()));
    map(sb, "Labels", meta.getLabels());
    map(sb, "Annotations", meta.getAnnotations());
    field(
        sb,
        0,
        "Status",
        palette.status(
            meta.getDeletionTimestamp() != null ? "Terminating" : orNone(status.getPhase())));
    if (status.getReason() != null) {
      field(sb, 0, "Reason", status.getReason());
    }
    if (status.getMessage() != null) {
      field(sb, 0, "Message", status.getMessage());
    }
    field(sb, 0, "IP", orNone(status.getPodIP()));
    if (status.getPodIPs() != null && !status.getPodIPs().isEmpty()) {
      sb.append("IPs:\n");
      status.getPodIPs().forEach(ip -> sb.append("  IP:  ").append(ip.getIp()).append('\n'));
    }
    containers(
        sb,
        "Init Containers",
        pod.getSpec().getInitContainers(),
        status.getInitContainerStatuses());
    containers(sb, "Containers", pod.getSpec().getContainers(), status.getContainerStatuses());
    sb.append(palette.heading("Conditions:")).append('\n');
    List<PodCondition> conditions =
        status.getConditions() == null ? List.of() : status.getConditions();
    if (conditions.isEmpty()) {
      sb.append("  <none>\n");
    } else {
      int w =
          Math.max(4, conditions.stream().mapToInt(c -> c.getType().length()).max().orElse(4)) + 2;
      sb.append("  ").append(pad("Type", w)).append("Status\n");
      for (PodCondition c : conditions) {
        sb.append("  ")
            .append(pad(c.getType(), w))
            .append(palette.status(c.getStatus()))
            .append('\n');
      }
    }
    field(sb, 0, "QoS Class", orNone(status.getQosClass()));
    field(
        sb, 0, "Events", "<not kept locally: with --kubeconfig, kubectl describe pod shows them>");
    return sb.toString();
  }

  private void containers(
      StringBuilder sb, String title, List<Container> specs, List<ContainerStatus> statuses) {
    if (specs == null || specs.isEmpty()) {
      return;
    }
    sb.append(palette.heading(title + ":")).append('\n');
    for (Container c : specs) {
      ContainerStatus s =
          statuses == null
              ? null
              : statuses.stream()
                  .filter(x -> c.getName().equals(x.getName()))
                  .findFirst()
                  .orElse(null);
      sb.append("  ").append(c.getName()).append(":\n");
      field(sb, 4, "Container ID", s == null ? "" : orEmpty(s.getContainerID()));
      field(sb, 4, "Image", c.getImage());
      field(sb, 4, "Image ID", s == null ? "" : orEmpty(s.getImageID()));
      List<ContainerPort> ports = c.getPorts() == null ? List.of() : c.getPorts();
      field(
          sb,
          4,
          ports.size() > 1 ? "Ports" : "Port",
          ports.isEmpty()
              ? "<none>"
              : ports.stream()
                  .map(
                      p ->
                          p.getContainerPort()
                              + "/"
                              + (p.getProtocol() == null ? "TCP" : p.getProtocol()))
                  .collect(Collectors.joining(", ")));
      list(sb, "Command", c.getCommand());
      list(sb, "Args", c.getArgs());
      state(sb, "State", s == null ? null : s.getState());
      if (s != null && s.getLastState() != null && !empty(s.getLastState())) {
        state(sb, "Last State", s.getLastState());
      }
      field(
          sb,
          4,
          "Ready",
          palette.status(
              s == null || s.getReady() == null ? "False" : s.getReady() ? "True" : "False"));
      field(
          sb,
          4,
          "Restart Count",
          s == null || s.getRestartCount() == null ? "0" : s.getRestartCount().toString());
    }
  }

  private void state(StringBuilder sb, String label, ContainerState st) {
    if (st == null || empty(st)) {
      field(sb, 4, label, palette.status("Waiting"));
      return;
    }
    if (st.getRunning() != null) {
      field(sb, 4, label, palette.status("Running"));
      field(sb, 6, "Started", time(st.getRunning().getStartedAt()));
    } else if (st.getWaiting() != null) {
      field(sb, 4, label, palette.status("Waiting"));
      if (st.getWaiting().getReason() != null) {
        field(sb, 6, "Reason", palette.status(st.getWaiting().getReason()));
      }
      if (st.getWaiting().getMessage() != null) {
        field(sb, 6, "Message", st.getWaiting().getMessage());
      }
    } else {
      var t = st.getTerminated();
      field(sb, 4, label, palette.status("Terminated"));
      field(sb, 6, "Reason", palette.status(orNone(t.getReason())));
      if (t.getMessage() != null) {
        field(sb, 6, "Message", t.getMessage());
      }
      field(sb, 6, "Exit Code", t.getExitCode() == null ? "<none>" : t.getExitCode().toString());
      field(sb, 6, "Started", time(t.getStartedAt()));
      field(sb, 6, "Finished", time(t.getFinishedAt()));
    }
  }

  private static boolean empty(ContainerState s) {
    return s.getRunning() == null && s.getWaiting() == null && s.getTerminated() == null;
  }

  private static void list(StringBuilder sb, String label, List<String> values) {
    if (values == null || values.isEmpty()) {
      return;
    }
    sb.append("    ").append(label).append(":\n");
    values.forEach(v -> sb.append("      ").append(v).append('\n'));
  }

  private void map(StringBuilder sb, String label, Map<String, String> values) {
    if (values == null || values.isEmpty()) {
      field(sb, 0, label, "<none>");
      return;
    }
    boolean first = true;
    for (var e : new java.util.TreeMap<>(values).entrySet()) {
      String kv = e.getKey() + "=" + e.getValue();
      if (first) {
        field(sb, 0, label, kv);
        first = false;
      } else {
        sb.append(" ".repeat(18)).append(kv).append('\n');
      }
    }
  }

  private void field(StringBuilder sb, int indent, String label, String value) {
    String key = " ".repeat(indent) + label + ":";
    int width = indent == 0 ? 18 : 20;
    String head = pad(key, Math.max(width, key.length() + 1));
    sb.append(
            indent == 0
                ? palette.heading(head.strip()) + head.substring(head.strip().length())
                : head)
        .append(value)
        .append('\n');
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }

  private static String time(String rfc3339) {
    if (rfc3339 == null || rfc3339.isEmpty()) {
      return "<unknown>";
    }
    try {
      return TIME.format(Instant.parse(rfc3339));
    } catch (java.time.format.DateTimeParseException e) {
      return rfc3339;
    }
  }

  private static String orNone(String s) {
    return s == null || s.isEmpty() ? "<none>" : s;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
