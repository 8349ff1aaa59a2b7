package io.berth.metrics.procfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.metrics.Fixtures;
import io.berth.metrics.stats.InterfaceStats;
import org.junit.jupiter.api.Test;

/** Parses a /proc/net/dev copied from this machine. */
class NetDevReaderTest {
  private final NetDevReader reader = new NetDevReader(Fixtures.resource("proc-fixtures"));

  @Test
  void readsInterfacesWithoutLoopback() {
    assertThat(reader.read(4242))
        .containsExactly(
            new InterfaceStats("eth0", 127_151_880, 3922, 0, 0, 391_336, 3059, 0, 0),
            new InterfaceStats("ifb0", 0, 0, 0, 0, 0, 0, 0, 0),
            new InterfaceStats("ifb1", 0, 0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void goneProcessGivesNothing() {
    assertThat(reader.read(999_999)).isEmpty();
  }
}
