package io.berth.metrics.summary;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.metrics.FixtureScrapes;
import io.berth.metrics.Fixtures;
import io.berth.metrics.Golden;
import io.berth.metrics.MutableClock;
import io.berth.metrics.Scrape;
import io.berth.metrics.StatsCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryGoldenTest {

  @Test
  void summaryFromTwoCollections(@TempDir Path tmp) throws IOException {
    Path root = tmp.resolve("v1");
    copyTree(Fixtures.resource("cgroup-fixtures/v1"), root);
    MutableClock clock = new MutableClock(Fixtures.T0);
    StatsCollector collector = FixtureScrapes.v1(root, clock);
    collector.scrape();

    // 10 s later the app container used 0.5 more CPU-seconds: 0.05 cores = 50,000,000 nanocores.
    Path usage =
        root.resolve("cpuacct" + Fixtures.POD_CGROUP + "/" + Fixtures.C1 + "/cpuacct.usage");
    Files.writeString(usage, (746_348_150L + 500_000_000L) + "\n");
    Path podUsage = root.resolve("cpuacct" + Fixtures.POD_CGROUP + "/cpuacct.usage");
    Files.writeString(podUsage, (910_800_440L + 500_000_000L) + "\n");
    clock.advance(Duration.ofSeconds(10));
    Scrape scrape = collector.scrape();

    Summary summary = new SummaryBuilder("node-a").build(scrape);
    Summary.Container app = summary.pods().get(0).containers().get(0);
    assertThat(app.cpu().usageNanoCores()).isEqualTo(50_000_000L);
    assertThat(summary.pods().get(0).containers().get(1).cpu().usageNanoCores()).isZero();
    assertThat(summary.pods().get(0).cpu().usageNanoCores()).isEqualTo(50_000_000L);
    assertThat(summary.node().cpu().usageNanoCores()).isEqualTo(300_000_000L);
    Golden.assertMatches("summary-v1.json", new SummaryJson().write(summary) + "\n");
  }

  @Test
  void noRateWithoutPreviousSample() {
    MutableClock clock = new MutableClock(Fixtures.T0);
    Scrape scrape = FixtureScrapes.v1(Fixtures.resource("cgroup-fixtures/v1"), clock).scrape();
    Summary summary = new SummaryBuilder("node-a").build(scrape);
    assertThat(summary.pods().get(0).cpu().usageNanoCores()).isNull();
    assertThat(summary.pods().get(0).cpu().usageCoreNanoSeconds()).isEqualTo(910_800_440L);
    assertThat(new SummaryJson().write(summary)).doesNotContain("usageNanoCores");
  }

  @Test
  void rateIsNullForBackwardsTimeOrCounterReset() {
    Instant t = Fixtures.T0;
    assertThat(SummaryBuilder.rate(10, t, 5, t.plusSeconds(1))).isNull();
    assertThat(SummaryBuilder.rate(10, t, 20, t)).isNull();
    assertThat(SummaryBuilder.rate(0, t, 2_000_000_000L, t.plusSeconds(1)))
        .isEqualTo(2_000_000_000L);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
