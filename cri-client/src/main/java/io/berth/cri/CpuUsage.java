package io.berth.cri;

import java.time.Instant;

/**
 * CPU usage. Values are {@code null} when the runtime did not report them.
 *
 * @param usageCoreNanoSeconds cumulative CPU time over all cores since creation
 * @param usageNanoCores average usage over the runtime's sample window, in nano-cores
 */
public record CpuUsage(Instant timestamp, Long usageCoreNanoSeconds, Long usageNanoCores) {}
