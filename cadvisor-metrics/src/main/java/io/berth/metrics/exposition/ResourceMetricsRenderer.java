package io.berth.metrics.exposition;

import static io.berth.metrics.exposition.MetricType.COUNTER;
import static io.berth.metrics.exposition.MetricType.GAUGE;

import io.berth.metrics.ContainerSample;
import io.berth.metrics.PodSample;
import io.berth.metrics.StatsSnapshot;
import io.berth.metrics.node.NodeStats;
import io.berth.metrics.stats.CgroupStats;
import java.time.Instant;

/**
 * Renders {@code /metrics/resource}, the kubelet's resource metrics that metrics-server scrapes:
 * node, pod and container CPU (core-seconds) and working set, container start times, and the scrape
 * error gauges. HELP texts carry the stability prefix the kubelet's metrics framework adds. Every
 * stats sample carries the time it was read as its timestamp (milliseconds); {@code
 * container_start_time_seconds} carries the start time itself, as the kubelet does.
 *
 * <p>Thread safety: stateless; safe to share.
 */
public final class ResourceMetricsRenderer {
  static final MetricFamily NODE_CPU =
      new MetricFamily(
          "node_cpu_usage_seconds_total",
          "[STABLE] Cumulative cpu time consumed by the node in core-seconds",
          COUNTER);
  static final MetricFamily NODE_MEMORY =
      new MetricFamily(
          "node_memory_working_set_bytes",
          "[STABLE] Current working set of the node in bytes",
          GAUGE);
  static final MetricFamily CONTAINER_CPU =
      new MetricFamily(
          "container_cpu_usage_seconds_total",
          "[STABLE] Cumulative cpu time consumed by the container in core-seconds",
          COUNTER);
  static final MetricFamily CONTAINER_MEMORY =
      new MetricFamily(
          "container_memory_working_set_bytes",
          "[STABLE] Current working set of the container in bytes",
          GAUGE);
  static final MetricFamily CONTAINER_START =
      new MetricFamily(
          "container_start_time_seconds",
          "[STABLE] Start time of the container since unix epoch in seconds",
          GAUGE);
  static final MetricFamily POD_CPU =
      new MetricFamily(
          "pod_cpu_usage_seconds_total",
          "[STABLE] Cumulative cpu time consumed by the pod in core-seconds",
          COUNTER);
  static final MetricFamily POD_MEMORY =
      new MetricFamily(
          "pod_memory_working_set_bytes",
          "[STABLE] Current working set of the pod in bytes",
          GAUGE);
  static final MetricFamily SCRAPE_ERROR =
      new MetricFamily(
          "scrape_error",
          "[ALPHA] 1 if there was an error while getting container metrics, 0 otherwise",
          GAUGE);
  static final MetricFamily RESOURCE_SCRAPE_ERROR =
      new MetricFamily(
          "resource_scrape_error",
          "[STABLE] 1 if there was an error while getting container metrics, 0 otherwise",
          GAUGE);

  /** The exposition text for one snapshot. */
  public String render(StatsSnapshot snapshot) {
    TextExposition out = new TextExposition();
    int error = snapshot.errors() ? 1 : 0;
    out.add(SCRAPE_ERROR, "", error, -1);
    out.add(RESOURCE_SCRAPE_ERROR, "", error, -1);
    if (snapshot.node().isPresent()) {
      NodeStats node = snapshot.node().get();
      long ts = node.time().toEpochMilli();
      out.add(NODE_CPU, "", node.cpuUsageNanos() / 1e9, ts);
      out.add(NODE_MEMORY, "", node.memoryWorkingSetBytes(), ts);
    }
    for (PodSample pod : snapshot.pods()) {
      String ns = pod.pod().namespace();
      String name = pod.pod().name();
      if (pod.stats().isPresent()) {
        usage(out, POD_CPU, POD_MEMORY, Labels.of("namespace", ns, "pod", name), pod.stats().get());
      }
      for (ContainerSample c : pod.containers()) {
        String labels = Labels.of("container", c.container().name(), "namespace", ns, "pod", name);
        Instant start = c.container().startTime();
        out.add(
            CONTAINER_START,
            labels,
            start.getEpochSecond() + start.getNano() / 1e9,
            start.toEpochMilli());
        usage(out, CONTAINER_CPU, CONTAINER_MEMORY, labels, c.stats());
      }
    }
    return out.render();
  }

  private static void usage(
      TextExposition out, MetricFamily cpu, MetricFamily memory, String labels, CgroupStats s) {
    long ts = s.time().toEpochMilli();
    if (s.cpu().usageNanos().isPresent()) {
      out.add(cpu, labels, s.cpu().usageNanos().getAsLong() / 1e9, ts);
    }
    if (s.memory().workingSet().isPresent()) {
      out.add(memory, labels, s.memory().workingSet().getAsLong(), ts);
    }
  }
}
