/**
 * berth's cAdvisor-style metrics library: the agent describes the running pods with {@link
 * io.berth.metrics.PodRef}/{@link io.berth.metrics.ContainerRef}; {@link
 * io.berth.metrics.StatsCollector} reads their cgroups (and the node through OSHI) lazily at scrape
 * time with a short cache; the renderers in {@code exposition} and {@code summary} turn a {@link
 * io.berth.metrics.Scrape} into {@code /metrics/cadvisor}, {@code /metrics/resource} and {@code
 * /stats/summary}.
 *
 * <pre>
 *   PodRef list ─▶ StatsCollector ─▶ Scrape ─┬─▶ CadvisorMetricsRenderer  (/metrics/cadvisor)
 *   CgroupReader ─┘   ▲ NodeStatsSource      ├─▶ ResourceMetricsRenderer  (/metrics/resource)
 *   NetDevReader ─────┘                      └─▶ SummaryBuilder + SummaryJson (/stats/summary)
 * </pre>
 */
package io.berth.metrics;
