package io.berth.cri;

import java.time.Instant;

/** Memory usage in bytes (page faults as counts); values {@code null} when not reported. */
public record MemoryUsage(
    Instant timestamp,
    Long workingSetBytes,
    Long availableBytes,
    Long usageBytes,
    Long rssBytes,
    Long pageFaults,
    Long majorPageFaults) {}
