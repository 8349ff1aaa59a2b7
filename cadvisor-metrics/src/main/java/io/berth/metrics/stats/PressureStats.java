package io.berth.metrics.stats;

import java.util.Optional;

/**
 * PSI (pressure stall information) of one cgroup, where the kernel provides it (cgroup v2, or the
 * unified hierarchy of a hybrid host).
 */
public record PressureStats(
    Optional<Pressure> cpuSome,
    Optional<Pressure> cpuFull,
    Optional<Pressure> memorySome,
    Optional<Pressure> memoryFull,
    Optional<Pressure> ioSome,
    Optional<Pressure> ioFull) {

  /** No PSI files. */
  public static final PressureStats NONE =
      new PressureStats(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());

  /** True when at least one PSI line was read. */
  public boolean present() {
    return cpuSome.isPresent()
        || cpuFull.isPresent()
        || memorySome.isPresent()
        || memoryFull.isPresent()
        || ioSome.isPresent()
        || ioFull.isPresent();
  }
}
