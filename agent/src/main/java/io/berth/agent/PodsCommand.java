package io.berth.agent;

import io.berth.agent.cli.LocalApi;
import io.berth.agent.cli.Palette;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code berth pods}: the pods a running berth knows, read from its local API ({@code GET /pods}),
 * as a table like {@code kubectl get pods -o wide}, or the JSON itself with {@code -o json}.
 */
final class PodsCommand {
  private final PrintStream out;
  private final Clock clock;
  private final Palette palette;

  PodsCommand(PrintStream out, Clock clock) {
    this(out, clock, Palette.NONE);
  }

  PodsCommand(PrintStream out, Clock clock, Palette palette) {
    this.out = out;
    this.clock = clock;
    this.palette = palette;
  }

  int run(String server, String output) {
    String body = new LocalApi(server).get("/pods");
    if (output.equals("json")) {
      out.println(body);
      return 0;
    }
    if (!output.equals("wide")) {
      throw new UsageException("option -o/--output must be wide or json, got '" + output + "'");
    }
    out.print(table(LocalApi.parsePods(server, body).getItems(), clock.instant(), palette));
    return 0;
  }

  static String table(List<Pod> pods, Instant now) {
    return table(pods, now, Palette.NONE);
  }

  /** The table; with an enabled palette the header is bold and the STATUS column coloured. */
  static String table(List<Pod> pods, Instant now, Palette palette) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {"NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"});
    for (Pod p : pods) {
      var status = p.getStatus();
      List<ContainerStatus> cs =
          status == null || status.getContainerStatuses() == null
              ? List.of()
              : status.getContainerStatuses();
      long ready = cs.stream().filter(c -> Boolean.TRUE.equals(c.getReady())).count();
      int restarts =
          cs.stream().mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum();
      String started = status == null ? null : status.getStartTime();
      rows.add(
          new String[] {
            p.getMetadata().getNamespace(),
            p.getMetadata().getName(),
            ready + "/" + (p.getSpec() == null ? cs.size() : p.getSpec().getContainers().size()),
            kubectlStatus(p, cs),
            Integer.toString(restarts),
            started == null ? "<unknown>" : age(Duration.between(Instant.parse(started), now)),
            status == null || status.getPodIP() == null ? "<none>" : status.getPodIP(),
            p.getSpec() == null || p.getSpec().getNodeName() == null
                ? "<none>"
                : p.getSpec().getNodeName()
          });
    }
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int row = 0; row < rows.size(); row++) {
      String[] r = rows.get(row);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        String cell = i == r.length - 1 ? r[i] : String.format("%-" + (width[i] + 3) + "s", r[i]);
        line.append(row > 0 && i == 3 ? palette.status(cell) : cell);
      }
      sb.append(row == 0 ? palette.heading(line.toString()) : line).append('\n');
    }
    return sb.toString();
  }

  /** kubectl's STATUS column: a waiting or terminated container's reason wins over the phase. */
  static String kubectlStatus(Pod p, List<ContainerStatus> statuses) {
    if (p.getMetadata().getDeletionTimestamp() != null) {
      return "Terminating";
    }
    String reason =
        p.getStatus() == null || p.getStatus().getPhase() == null
            ? "Unknown"
            : p.getStatus().getPhase();
    for (ContainerStatus c : statuses) {
      var state = c.getState();
      if (state == null) {
        continue;
      }
      if (state.getWaiting() != null && state.getWaiting().getReason() != null) {
        reason = state.getWaiting().getReason();
      } else if (state.getTerminated() != null && state.getTerminated().getReason() != null) {
        reason = state.getTerminated().getReason();
      }
    }
    return reason;
  }

  /** kubectl's short age: 45s, 3m12s, 2h5m, 4d. */
  static String age(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
    }
    if (s < 86_400) {
      return (s / 3600) + "h" + ((s % 3600) / 60 == 0 ? "" : ((s % 3600) / 60) + "m");
    }
    return (s / 86_400) + "d";
  }
}
