package io.berth.cri;

import java.time.Instant;
import java.util.List;

/** Network counters of a pod sandbox: the default interface and the others. */
public record NetworkUsage(
    Instant timestamp, InterfaceUsage defaultInterface, List<InterfaceUsage> interfaces) {
  /** Cumulative counters of one interface; {@code null} when not reported. */
  public record InterfaceUsage(
      String name, Long rxBytes, Long rxErrors, Long txBytes, Long txErrors) {
    public InterfaceUsage {
      name = Copies.str(name);
    }
  }

  public NetworkUsage {
    interfaces = Copies.list(interfaces);
  }
}
