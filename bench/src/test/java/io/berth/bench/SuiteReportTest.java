package io.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteReportTest {
  private static final String NFT_LOG =
      """
      | full sync (initial load), 1000 × 10 | 120.50 | 900.20 | 0.134 | render 20 ms |
      | one-endpoint change p50, 10000 services | 6.20 | 400.00 | 0.016 | x |
      | full sync (initial load), 10000 × 10 | 1500.50 | 42000.20 | 0.036 | r |
      | first packet (TCP connect via VIP, p50), 10000 vs 10 services | 0.11 | 0.10 | 1.100 | a |

      | measurement | berth ms | anchor ms (kube-proxy shape, nft -f) | berth/anchor | notes |
      |---|---|---|---|---|
      | full sync (initial load), 1000 × 10 | 120.50 | 900.20 | 0.134 | render 20 ms |
      """;

  private static final String PROBE_LOG =
      """
      (warm-up round)
      tcp   berth       9000      0      9000       30.0        5.0    0.300    9.000    9.000     40 -> 40
      kind  client    probes   fail  probes/s  cpu µs/pr  srv µs/pr   p50 ms   p99 ms   max ms fds
      tcp   berth      30000      0     10000       12.3        5.0    0.300    1.200    3.000     40 -> 42
      tcp   anchor     30000      0     10000       11.0        5.0    0.200    1.000    2.000     40 -> 40
      """;

  @Test
  void netfilterRowsBecomeFiguresWithTheIssueTargetsAtTenThousand() {
    List<Figure> figures = new LogImport.NftTable().figures(NFT_LOG);

    assertThat(figures)
        .extracting(Figure::id)
        .containsExactly(
            "full-sync-1000", "change-p50-10000", "full-sync-10000", "first-packet-10000");
    Figure change = figures.get(1);
    assertThat(change.berth()).isEqualTo(6.2);
    assertThat(change.anchor()).isEqualTo(400.0);
    assertThat(change.met()).contains(false); // p50 target at 10k is 5 ms
    assertThat(figures.get(0).met()).isEmpty(); // no target at 1k
    assertThat(figures.get(2).met()).contains(true); // 1.5 s ≤ 2 s
    assertThat(figures.get(3).met()).contains(false); // slower through the VIP at 10k than at 10
  }

  @Test
  void iptablesAnchorRowsKeepTheirOwnAnchorAndNoTarget() {
    String log =
        """
        | full sync (initial load) vs iptables-legacy-restore, 10000 × 10 | 1500.50 | 3300.00 | 0.455 | a |
        | one-endpoint change p50 vs iptables-legacy-restore, 10000 services | 3.10 | 900.00 | 0.003 | b |
        """;
    List<Figure> figures = new LogImport.NftTable().figures(log);

    assertThat(figures)
        .extracting(Figure::id)
        .containsExactly("full-sync-ipt-10000", "change-p50-ipt-10000");
    assertThat(figures.get(0).anchor()).isEqualTo(3300.0);
    assertThat(figures).allSatisfy(f -> assertThat(f.met()).isEmpty());
    assertThat(figures)
        .allSatisfy(f -> assertThat(f.anchorName()).contains("iptables-legacy-restore"));
  }

  @Test
  void firstPacketAgainstThePodIpIsItsOwnFigure() {
    String log =
        "| first packet (TCP connect, p50), VIP at 10000 services vs direct to the pod IP | 0.30"
            + " | 0.25 | 1.200 | c |\n";
    List<Figure> figures = new LogImport.NftTable().figures(log);

    assertThat(figures).extracting(Figure::id).containsExactly("first-packet-vs-pod-ip-10000");
    assertThat(figures.get(0).anchorName()).contains("pod IP");
    assertThat(figures.get(0).met()).isEmpty(); // the target is against 10 services, not this
  }

  @Test
  void probeRowsTakeTheMeasuredRoundAndFlagFdGrowth() {
    List<Figure> figures = new LogImport.ProbeRows().figures(PROBE_LOG);

    Figure rate = figures.stream().filter(f -> f.id().equals("tcp-probes-per-s")).findFirst().get();
    assertThat(rate.berth()).isEqualTo(10000.0);
    assertThat(rate.met()).contains(true);
    Figure p99 = figures.stream().filter(f -> f.id().equals("tcp-p99")).findFirst().get();
    assertThat(p99.berth()).isEqualTo(1.2); // not the warm-up's 9 ms
    assertThat(p99.ratio()).isEqualTo(1.2);
    Figure fds = figures.stream().filter(f -> f.id().equals("tcp-fd-growth")).findFirst().get();
    assertThat(fds.berth()).isEqualTo(2.0);
    assertThat(fds.met()).contains(false);
  }

  @Test
  void reportGathersJsonAndLogsAndMarksFailures(@TempDir Path dir) throws Exception {
    new BenchResults("cadvisor")
        .figure(
            Figure.of("scrape-wall-p50", "scrape p50", "ms", 60, 20, "minimal reader")
                .withTargets(Target.atMost(50, "ms"), Target.ratioAtMost(2)))
        .series("berth scrape ms", List.of(60.0, 61.0))
        .write(dir.resolve("cadvisor.json"));
    Files.writeString(dir.resolve("cadvisor.status"), "0 12.5\n");
    Files.writeString(dir.resolve("netfilter.log"), NFT_LOG);
    Files.writeString(dir.resolve("netfilter.status"), "0 100\n");
    Files.writeString(dir.resolve("footprint.log"), "no tarball\n");
    Files.writeString(dir.resolve("footprint.status"), "1 3\n");
    Files.writeString(dir.resolve("machine.env"), "started=T\nmode=short\nloadBefore=1 2 3\n");

    SuiteReport.main(new String[] {dir.toString(), "cadvisor", "netfilter", "footprint"});

    String md = Files.readString(dir.resolve("results.md"));
    assertThat(md)
        .contains("| scrape p50 | 60 ms | 20 ms | 3.00 | ≤ 50 ms; ≤ 2× anchor | **no** |")
        .contains("| **`footprint`: no figures, exit 1, see `footprint.log`** |")
        .contains("Load average before: 1 2 3")
        .contains("benchmarks 1.9 min");
    // one table per area, in the issues' order, each with its own charts under it
    assertThat(md.indexOf("### Service proxy (nftables)"))
        .isPositive()
        .isLessThan(md.indexOf("### Metrics"));
    assertThat(md.indexOf("### Metrics")).isLessThan(md.indexOf("### Footprint"));
    String proxy =
        md.substring(md.indexOf("### Service proxy (nftables)"), md.indexOf("### Metrics"));
    assertThat(proxy)
        .contains("`bench/run netfilter` (100 s)")
        .contains("| full sync (initial load), 10000 × 10 |")
        .contains("![sync-time-vs-services](sync-time-vs-services.png)");
    assertThat(md.substring(md.indexOf("### Metrics")))
        .doesNotContain("sync-time-vs-services")
        .contains("minimal reader");
    JsonNode json = BenchResults.json().readTree(dir.resolve("results.json").toFile());
    assertThat(json.path("machine").path("kernel").asText()).isNotBlank();
    JsonNode cadvisor = json.path("benchmarks").path(0);
    assertThat(cadvisor.path("seconds").asDouble()).isEqualTo(12.5);
    assertThat(cadvisor.path("figures").path(0).path("met").asBoolean(true)).isFalse();
    assertThat(cadvisor.path("figures").path(0).path("ratio").asDouble()).isEqualTo(3.0);
    assertThat(json.path("benchmarks").path(2).path("exitCode").asInt()).isEqualTo(1);
    byte[] png = Files.readAllBytes(dir.resolve("sync-time-vs-services.png"));
    assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    assertThat(json.path("charts").toString()).contains("endpoint-change-vs-services.png");
  }

  @Test
  void aBenchmarkInNoAreaGetsATableOfItsOwn() {
    assertThat(ReportArea.of(List.of("iptables", "new-bench", "cri")))
        .extracting(ReportArea::title)
        .containsExactly("Pod start", "Service proxy (iptables)", "new-bench");
  }

  @Test
  void podStartSeriesBecomeACumulativeDistribution() {
    LineChart.Series s = SuiteReport.cdf("berth", List.of(30.0, 10.0, 20.0, 40.0));
    assertThat(s.points())
        .containsExactly(
            new LineChart.Point(10, 0.25),
            new LineChart.Point(20, 0.5),
            new LineChart.Point(30, 0.75),
            new LineChart.Point(40, 1.0));
  }
}
