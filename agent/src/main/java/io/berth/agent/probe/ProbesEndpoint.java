package io.berth.agent.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.http.HttpReply;
import io.berth.probes.ProbeManager;
import io.berth.probes.ProbeResult;
import io.berth.probes.ProbeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code GET /probes}: every probe worker with its container, last raw result and message, as JSON
 * ({@code {"items":[...]}}), for {@code berth probes}. The snapshot is taken on the probe loop;
 * when the loop does not answer within {@link #WAIT} the reply is 503, saying so.
 */
final class ProbesEndpoint {
  static final Duration WAIT = Duration.ofSeconds(2);

  private final List<ProbeManager> shards;
  private final ObjectMapper json;

  ProbesEndpoint(List<ProbeManager> shards, ObjectMapper json) {
    this.shards = List.copyOf(shards);
    this.json = json;
  }

  HttpReply reply() throws InterruptedException {
    List<ProbeStatus> statuses = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    try {
      for (ProbeManager shard : shards) {
        long left = Math.max(0, deadline - System.nanoTime());
        statuses.addAll(shard.statuses().toCompletableFuture().get(left, TimeUnit.NANOSECONDS));
      }
      statuses.sort(
          Comparator.comparing((ProbeStatus s) -> s.pod().namespace())
              .thenComparing(s -> s.pod().name())
              .thenComparing(ProbeStatus::containerName)
              .thenComparing(ProbeStatus::type));
    } catch (TimeoutException e) {
      return HttpReply.text(
          503, "the probe loop did not answer within " + WAIT + " (overloaded)\n");
    } catch (ExecutionException e) {
      throw new IllegalStateException("probe status snapshot failed: " + e.getCause(), e);
    }
    try {
      return HttpReply.ok(
          HttpReply.JSON,
          json.writeValueAsString(
                  Map.of("items", statuses.stream().map(ProbesEndpoint::item).toList()))
              + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize probe statuses: " + e.getMessage(), e);
    }
  }

  static Map<String, Object> item(ProbeStatus s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("namespace", s.pod().namespace());
    m.put("pod", s.pod().name());
    m.put("podUID", s.pod().uid());
    m.put("container", s.containerName());
    m.put("probeType", s.type().label());
    m.put("containerID", s.containerId().orElse(null));
    m.put("result", s.lastResult().map(r -> result(r.outcome())).orElse(null));
    m.put("message", s.lastResult().map(ProbeResult::message).orElse(null));
    m.put("onHold", s.onHold());
    m.put("probes", s.probesRun());
    return m;
  }

  /** The kubelet's metric spelling: successful, failed, unknown (a warning is successful). */
  private static String result(ProbeResult.Outcome o) {
    return switch (o) {
      case SUCCESS, WARNING -> "successful";
      case FAILURE -> "failed";
      case UNKNOWN -> "unknown";
    };
  }
}
