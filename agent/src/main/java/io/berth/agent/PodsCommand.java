package io.berth.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final PrintStream out;
  private final Clock clock;

  PodsCommand(PrintStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  int run(String server, String output) {
    String body = fetch(server + "/pods");
    if (output.equals("json")) {
      out.println(body);
      return 0;
    }
    if (!output.equals("wide")) {
      throw new UsageException("option -o/--output must be wide or json, got '" + output + "'");
    }
    PodList pods;
    try {
      pods = JSON.readValue(body, PodList.class);
    } catch (IOException e) {
      throw new UsageException(
          "berth at "
              + server
              + " answered /pods with something that is not a PodList: "
              + e.getMessage());
    }
    out.print(table(pods.getItems(), clock.instant()));
    return 0;
  }

  static String table(List<Pod> pods, Instant now) {
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
    return TextTable.render(rows);
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

  static String fetch(String url) {
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new UsageException("berth answered " + url + " with HTTP " + r.statusCode());
      }
      return r.body();
    } catch (ConnectException e) {
      throw new UsageException("no berth answering at " + url + " (is `berth run` running?)");
    } catch (IOException e) {
      throw new UsageException("cannot read " + url + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UsageException("interrupted while reading " + url);
    }
  }
}
