package io.berth.metrics.exposition;

import io.berth.metrics.FixtureScrapes;
import io.berth.metrics.Fixtures;
import io.berth.metrics.Golden;
import io.berth.metrics.ManyPodSnapshots;
import io.berth.metrics.MutableClock;
import io.berth.metrics.StatsSnapshot;
import org.junit.jupiter.api.Test;

/** The rendered endpoints for the fixture trees, against reviewed golden files. */
class RenderersGoldenTest {
  private final DeviceNames devices = DeviceNames.sysfs(Fixtures.resource("sys-fixtures"));

  private StatsSnapshot v1() {
    MutableClock clock = new MutableClock(Fixtures.T0);
    return FixtureScrapes.v1(Fixtures.resource("cgroup-fixtures/v1"), clock).scrape().current();
  }

  @Test
  void cadvisorV1() {
    Golden.assertMatches("cadvisor-v1.txt", new CadvisorMetricsRenderer(devices).render(v1()));
  }

  @Test
  void cadvisorV2() {
    MutableClock clock = new MutableClock(Fixtures.T0);
    StatsSnapshot s =
        FixtureScrapes.v2(Fixtures.resource("cgroup-fixtures/v2"), clock).scrape().current();
    Golden.assertMatches("cadvisor-v2.txt", new CadvisorMetricsRenderer(devices).render(s));
  }

  /**
   * Sorting across entries: 2 pods × 3 containers, container names sharing prefixes, two block
   * devices in alternating order (the {@code device} label sorts before {@code id}), two interfaces
   * per pod. The golden was written by the String-based writer this one replaced.
   */
  @Test
  void cadvisorManyPods() {
    Golden.assertMatches(
        "cadvisor-many-pods.txt",
        new CadvisorMetricsRenderer(devices).render(ManyPodSnapshots.of(2, 3, true)));
  }

  @Test
  void resourceV1() {
    Golden.assertMatches("resource-v1.txt", new ResourceMetricsRenderer().render(v1()));
  }
}
