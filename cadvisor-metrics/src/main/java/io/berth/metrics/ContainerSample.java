package io.berth.metrics;

import io.berth.metrics.stats.CgroupStats;

/** One container's stats from one collection. */
public record ContainerSample(ContainerRef container, CgroupStats stats) {}
