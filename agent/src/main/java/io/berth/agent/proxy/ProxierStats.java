package io.berth.agent.proxy;

import io.berth.netfilter.SyncMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of the proxier's numbers, shaped for metrics (kube-proxy's {@code
 * sync_proxy_rules_duration_seconds}, {@code sync_proxy_rules_last_timestamp_seconds}, {@code
 * network_programming_duration_seconds}, rule counts).
 *
 * @param syncs sync attempts that reached the data plane (successful or not)
 * @param failedSyncs of those, how many failed
 * @param fullSyncs successful full syncs
 * @param lastSyncMode mode of the last attempt
 * @param lastSyncDuration wall time of the last attempt (conversion + netfilter)
 * @param lastSuccessfulSync when the last successful sync finished
 * @param lastFullSync when the last successful full sync finished
 * @param services Services the proxier programs
 * @param servicePorts service ports (per IP family) in the model
 * @param endpoints endpoints over all service ports
 * @param lastCommandLines nft lines the last successful sync sent (0: nothing changed)
 * @param networkProgrammingLatencies from each EndpointSlice change's trigger time to the end of
 *     the successful sync that applied it (last successful sync only)
 * @param lastError the last failure, cleared by a success
 */
public record ProxierStats(
    long syncs,
    long failedSyncs,
    long fullSyncs,
    Optional<SyncMode> lastSyncMode,
    Duration lastSyncDuration,
    Optional<Instant> lastSuccessfulSync,
    Optional<Instant> lastFullSync,
    int services,
    int servicePorts,
    int endpoints,
    int lastCommandLines,
    List<Duration> networkProgrammingLatencies,
    Optional<String> lastError) {

  public ProxierStats {
    networkProgrammingLatencies = List.copyOf(networkProgrammingLatencies);
  }

  static final ProxierStats INITIAL =
      new ProxierStats(
          0,
          0,
          0,
          Optional.empty(),
          Duration.ZERO,
          Optional.empty(),
          Optional.empty(),
          0,
          0,
          0,
          0,
          List.of(),
          Optional.empty());
}
