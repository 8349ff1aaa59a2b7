package io.berth.agent.stats;

import static io.berth.agent.http.GzipNegotiation.negotiated;

import io.berth.agent.http.HttpReply;
import io.berth.agent.http.HttpRoutes;
import io.berth.metrics.PodRef;
import io.berth.metrics.StatsCollector;
import io.berth.metrics.cgroup.CgroupReader;
import io.berth.metrics.cgroup.OpenCgroupFiles;
import io.berth.metrics.exposition.CadvisorMetricsRenderer;
import io.berth.metrics.exposition.DeviceNames;
import io.berth.metrics.exposition.ResourceMetricsRenderer;
import io.berth.metrics.exposition.TextExposition;
import io.berth.metrics.node.OshiNodeStatsSource;
import io.berth.metrics.procfs.NetDevReader;
import io.berth.metrics.summary.SummaryBuilder;
import io.berth.metrics.summary.SummaryJson;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The metrics routes of the node API, wired to one lazily collecting {@link StatsCollector}:
 *
 * <ul>
 *   <li>{@code /metrics}: berth's own meters (JVM, process, and berth's components as they land);
 *   <li>{@code /metrics/cadvisor}: per-container and per-pod cgroup series with cAdvisor's names;
 *   <li>{@code /metrics/resource}: what metrics-server reads;
 *   <li>{@code /stats/summary}: the kubelet's Summary API JSON.
 * </ul>
 */
public final class NodeMetricsEndpoints implements AutoCloseable {
  /** How long one collection is shared between scrapes, like cAdvisor's housekeeping. */
  public static final Duration COLLECTION_MAX_AGE = Duration.ofSeconds(1);

  /**
   * Threads reading cgroups in one collection: reads are syscall-bound, so one per core, at most
   * two (a scrape should not take over a node's CPUs).
   */
  static final int CGROUP_READERS = Math.min(2, Runtime.getRuntime().availableProcessors());

  private final StatsCollector stats;
  private final PrometheusMeterRegistry registry;
  private final CadvisorMetricsRenderer cadvisor;
  private final ResourceMetricsRenderer resource = new ResourceMetricsRenderer();
  private final SummaryBuilder summary;
  private final SummaryJson summaryJson = new SummaryJson();
  private final OpenCgroupFiles openFiles;

  NodeMetricsEndpoints(
      StatsCollector stats,
      PrometheusMeterRegistry registry,
      CadvisorMetricsRenderer cadvisor,
      String nodeName,
      OpenCgroupFiles openFiles) {
    this.stats = stats;
    this.registry = registry;
    this.cadvisor = cadvisor;
    this.summary = new SummaryBuilder(nodeName);
    this.openFiles = openFiles;
    Gauge.builder("berth.cadvisor.cgroup.files.held", openFiles, OpenCgroupFiles::size)
        .description(
            "cgroup files kept open between /metrics/cadvisor scrapes (one descriptor and about"
                + " 4.4 KiB of kernel memory each)")
        .register(registry);
  }

  /** Endpoints reading this host's cgroups, /proc and /sys, for the pods {@code pods} lists. */
  public static NodeMetricsEndpoints forHost(
      Supplier<List<PodRef>> pods,
      PrometheusMeterRegistry registry,
      String nodeName,
      Path nodefs,
      Clock clock)
      throws IOException {
    OpenCgroupFiles openFiles = OpenCgroupFiles.withDefaultLimit();
    StatsCollector collector =
        new StatsCollector(
            CgroupReader.detect(clock, openFiles),
            new NetDevReader(Path.of("/proc")),
            new OshiNodeStatsSource(nodefs, clock),
            pods,
            clock,
            COLLECTION_MAX_AGE,
            CGROUP_READERS);
    return new NodeMetricsEndpoints(
        collector,
        registry,
        new CadvisorMetricsRenderer(DeviceNames.sysfs(Path.of("/sys"))),
        nodeName,
        openFiles);
  }

  /** Closes the cgroup files kept open between scrapes (a later scrape opens them again). */
  @Override
  public void close() {
    openFiles.close();
  }

  /**
   * Adds the metrics routes (gzipped for the clients that accept it, as the kubelet's promhttp
   * handlers) and {@code /stats/summary}.
   */
  public HttpRoutes register(HttpRoutes routes) {
    return routes
        .get(
            "/metrics",
            negotiated(r -> HttpReply.ok(TextExposition.CONTENT_TYPE, registry.scrape())))
        .get(
            "/metrics/cadvisor",
            negotiated(
                r ->
                    new HttpReply(
                        200,
                        TextExposition.CONTENT_TYPE,
                        cadvisor.renderUtf8(stats.scrape().current()))))
        .get(
            "/metrics/resource",
            negotiated(
                r ->
                    HttpReply.ok(
                        TextExposition.CONTENT_TYPE, resource.render(stats.scrape().current()))))
        .get(
            "/stats/summary",
            r -> HttpReply.ok(HttpReply.JSON, summaryJson.write(summary.build(stats.scrape()))));
  }
}
