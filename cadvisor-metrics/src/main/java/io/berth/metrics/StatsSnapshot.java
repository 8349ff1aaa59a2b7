package io.berth.metrics;

import io.berth.metrics.node.NodeStats;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything collected for one scrape.
 *
 * @param time when the collection started
 * @param node node-wide stats, empty if OSHI failed
 * @param pods per-pod samples, in input order
 * @param errors true when some source failed (exported as {@code container_scrape_error})
 */
public record StatsSnapshot(
    Instant time, Optional<NodeStats> node, List<PodSample> pods, boolean errors) {
  public StatsSnapshot {
    pods = List.copyOf(pods);
  }
}
