package io.berth.metrics.stats;

/** Counters of one network interface, as in {@code /proc/<pid>/net/dev}. */
public record InterfaceStats(
    String name,
    long rxBytes,
    long rxPackets,
    long rxErrors,
    long rxDropped,
    long txBytes,
    long txPackets,
    long txErrors,
    long txDropped) {}
