package io.berth.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.metrics.cgroup.CgroupV1Reader;
import io.berth.metrics.node.NodeStatsSource.NodeStatsException;
import io.berth.metrics.procfs.NetDevReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StatsCollectorTest {
  private final MutableClock clock = new MutableClock(Fixtures.T0);
  private final AtomicInteger collections = new AtomicInteger();

  private StatsCollector collector() {
    return new StatsCollector(
        CgroupV1Reader.ofRoot(Fixtures.resource("cgroup-fixtures/v1"), clock),
        new NetDevReader(Fixtures.resource("proc-fixtures")),
        () -> Fixtures.node(clock.instant(), 1),
        () -> {
          collections.incrementAndGet();
          return List.of(Fixtures.pod());
        },
        clock,
        Duration.ofSeconds(1));
  }

  @Test
  void nothingIsReadUntilScraped() {
    collector();
    assertThat(collections).hasValue(0);
  }

  @Test
  void reusesCollectionWithinMaxAgeAndKeepsPrevious() {
    StatsCollector c = collector();
    Scrape first = c.scrape();
    clock.advance(Duration.ofMillis(999));
    assertThat(c.scrape()).isSameAs(first);
    assertThat(collections).hasValue(1);
    assertThat(first.previous()).isEmpty();

    clock.advance(Duration.ofMillis(1));
    Scrape second = c.scrape();
    assertThat(collections).hasValue(2);
    assertThat(second.previous()).contains(first.current());
    assertThat(second.current().time()).isEqualTo(Fixtures.T0.plusSeconds(1));
  }

  @Test
  void concurrentScrapesShareOneCollection() throws Exception {
    StatsCollector c = collector();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Scrape>> calls = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        calls.add(c::scrape);
      }
      List<Scrape> results = new ArrayList<>();
      for (Future<Scrape> f : pool.invokeAll(calls)) {
        results.add(f.get());
      }
      assertThat(collections).hasValue(1);
      assertThat(results).allSatisfy(s -> assertThat(s).isSameAs(results.get(0)));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void sampleHasPodContainersAndNetwork() {
    StatsSnapshot s = collector().scrape().current();
    assertThat(s.errors()).isFalse();
    PodSample pod = s.pods().get(0);
    assertThat(pod.stats()).isPresent();
    assertThat(pod.containers())
        .extracting(cs -> cs.container().name())
        .containsExactly("app", "sidecar");
    assertThat(pod.network()).extracting(n -> n.name()).containsExactly("eth0", "ifb0", "ifb1");
  }

  @Test
  void vanishedContainerIsLeftOutAndFailingSourcesAreFlagged() {
    PodRef pod = Fixtures.pod();
    PodRef withGhost =
        new PodRef(
            pod.uid(),
            pod.name(),
            pod.namespace(),
            pod.cgroupPath(),
            pod.sandboxPid(),
            pod.startTime(),
            List.of(
                pod.containers().get(0),
                new ContainerRef(
                    "ghost", "dead", "img", pod.cgroupPath() + "/dead", pod.startTime())));
    StatsCollector c =
        new StatsCollector(
            CgroupV1Reader.ofRoot(Fixtures.resource("cgroup-fixtures/v1"), clock),
            new NetDevReader(Fixtures.resource("proc-fixtures")),
            () -> {
              throw new NodeStatsException("OSHI failed", null);
            },
            () -> List.of(withGhost),
            clock,
            Duration.ofSeconds(1));

    StatsSnapshot s = c.scrape().current();
    assertThat(s.pods().get(0).containers())
        .extracting(cs -> cs.container().name())
        .containsExactly("app");
    assertThat(s.node()).isEmpty();
    assertThat(s.errors()).isTrue();
  }

  @Test
  void parallelReadersKeepPodOrderAndIsolateAFailingPod() {
    PodRef good = Fixtures.pod();
    List<PodRef> pods = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      pods.add(
          i == 17
              ? new PodRef(
                  "bad",
                  "bad",
                  "ns",
                  "/kubepods/../etc",
                  good.sandboxPid(),
                  good.startTime(),
                  List.of())
              : new PodRef(
                  "uid-" + i,
                  "p" + i,
                  good.namespace(),
                  good.cgroupPath(),
                  good.sandboxPid(),
                  good.startTime(),
                  good.containers()));
    }
    StatsCollector c =
        new StatsCollector(
            CgroupV1Reader.ofRoot(Fixtures.resource("cgroup-fixtures/v1"), clock),
            new NetDevReader(Fixtures.resource("proc-fixtures")),
            () -> Fixtures.node(clock.instant(), 1),
            () -> pods,
            clock,
            Duration.ofSeconds(1),
            4);

    StatsSnapshot s = c.scrape().current();

    assertThat(s.pods()).hasSize(39);
    assertThat(s.pods())
        .extracting(p -> p.pod().name())
        .doesNotContain("bad")
        .startsWith("p0", "p1");
    assertThat(s.pods().get(17).pod().name()).isEqualTo("p18");
    assertThat(s.pods()).allSatisfy(p -> assertThat(p.containers()).hasSize(2));
    assertThat(s.errors()).isTrue();
  }
}
