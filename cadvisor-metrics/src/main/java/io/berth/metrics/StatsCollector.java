package io.berth.metrics;

import io.berth.metrics.cgroup.CgroupReader;
import io.berth.metrics.node.NodeStats;
import io.berth.metrics.node.NodeStatsSource;
import io.berth.metrics.procfs.NetDevReader;
import io.berth.metrics.stats.CgroupStats;
import io.berth.metrics.stats.InterfaceStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects stats lazily, at scrape time, and keeps the result for a short time so concurrent or
 * back-to-back scrapes of {@code /metrics/cadvisor}, {@code /metrics/resource} and {@code
 * /stats/summary} share one read of the cgroup files. Nothing runs between scrapes.
 *
 * <pre>
 *   scrape() ──fresh?──yes──▶ cached Scrape
 *      │ no
 *      ▼ (one collector at a time; waiters get its result)
 *   pods.get() ─▶ for each pod (on `readers` threads, the caller plus short-lived virtual ones):
 *                   reader.read(pod cgroup), reader.read(container cgroups), netDev.read(sandbox pid)
 *   reader.endCollection()   (closes held files of cgroups this collection did not read)
 *   node.read()
 * </pre>
 *
 * <p>Thread safety: safe for concurrent callers. Failures of a source are logged with context and
 * flagged in {@link StatsSnapshot#errors()}; they never propagate to the caller.
 */
public final class StatsCollector {
  private static final Logger LOG = LoggerFactory.getLogger(StatsCollector.class);

  private final CgroupReader reader;
  private final NetDevReader netDev;
  private final NodeStatsSource node;
  private final Supplier<List<PodRef>> pods;
  private final Clock clock;
  private final Duration maxAge;
  private final int readers;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile Scrape last;

  /**
   * @param reader cgroup reader for this host
   * @param netDev network counters per sandbox pid
   * @param node node-wide stats
   * @param pods the pods running now (called once per collection)
   * @param clock decides freshness
   * @param maxAge how long a collection is reused (e.g. 1 s)
   */
  public StatsCollector(
      CgroupReader reader,
      NetDevReader netDev,
      NodeStatsSource node,
      Supplier<List<PodRef>> pods,
      Clock clock,
      Duration maxAge) {
    this(reader, netDev, node, pods, clock, maxAge, 1);
  }

  /**
   * @param readers how many threads read pods' cgroups in one collection (the caller plus {@code
   *     readers - 1} virtual threads that live for that collection only); cgroupfs reads are
   *     syscall-bound, so more than the number of cores buys nothing
   */
  public StatsCollector(
      CgroupReader reader,
      NetDevReader netDev,
      NodeStatsSource node,
      Supplier<List<PodRef>> pods,
      Clock clock,
      Duration maxAge,
      int readers) {
    if (readers < 1) {
      throw new IllegalArgumentException("readers must be at least 1, got " + readers);
    }
    this.readers = readers;
    this.reader = reader;
    this.netDev = netDev;
    this.node = node;
    this.pods = pods;
    this.clock = clock;
    this.maxAge = maxAge;
  }

  /** The latest collection, collecting now if the cached one is older than {@code maxAge}. */
  public Scrape scrape() {
    Scrape cached = last;
    if (cached != null && fresh(cached, clock.instant())) {
      return cached;
    }
    lock.lock();
    try {
      cached = last;
      Instant now = clock.instant();
      if (cached != null && fresh(cached, now)) {
        return cached;
      }
      StatsSnapshot snapshot = collect(now);
      Scrape next =
          new Scrape(snapshot, cached == null ? Optional.empty() : Optional.of(cached.current()));
      last = next;
      return next;
    } finally {
      lock.unlock();
    }
  }

  private boolean fresh(Scrape scrape, Instant now) {
    Duration age = Duration.between(scrape.current().time(), now);
    return !age.isNegative() && age.compareTo(maxAge) < 0;
  }

  private StatsSnapshot collect(Instant now) {
    boolean errors = false;
    List<PodRef> podRefs;
    try {
      podRefs = pods.get();
    } catch (RuntimeException e) {
      LOG.warn("cannot list pods for metrics collection", e);
      podRefs = List.of();
      errors = true;
    }
    PodSample[] collected = new PodSample[podRefs.size()];
    errors |= collectPods(podRefs, collected);
    try {
      reader.endCollection();
    } catch (RuntimeException e) {
      LOG.warn("cannot release the cgroup files of vanished containers", e);
    }
    List<PodSample> samples = new ArrayList<>(collected.length);
    for (PodSample sample : collected) {
      if (sample != null) {
        samples.add(sample);
      }
    }
    Optional<NodeStats> nodeStats;
    try {
      nodeStats = Optional.of(node.read());
    } catch (RuntimeException e) {
      LOG.warn("cannot read node stats", e);
      nodeStats = Optional.empty();
      errors = true;
    }
    return new StatsSnapshot(now, nodeStats, samples, errors);
  }

  /**
   * Fills {@code into[i]} for {@code pods.get(i)} on up to {@code readers} threads; true if a pod
   * failed (it stays null and is logged).
   */
  private boolean collectPods(List<PodRef> pods, PodSample[] into) {
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    Runnable work =
        () -> {
          for (int i = next.getAndIncrement(); i < pods.size(); i = next.getAndIncrement()) {
            PodRef pod = pods.get(i);
            try {
              into[i] = collectPod(pod);
            } catch (RuntimeException e) {
              LOG.warn(
                  "cannot collect stats of pod {}/{} (uid {}, cgroup {})",
                  pod.namespace(),
                  pod.name(),
                  pod.uid(),
                  pod.cgroupPath(),
                  e);
              failed.set(true);
            }
          }
        };
    int helpers = Math.min(readers, pods.size()) - 1;
    List<Thread> threads = new ArrayList<>(Math.max(helpers, 0));
    for (int t = 0; t < helpers; t++) {
      threads.add(Thread.ofVirtual().name("cgroup-reader-", t).start(work));
    }
    work.run();
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.warn("interrupted while waiting for cgroup readers; this collection may lack pods");
        failed.set(true);
        break;
      }
    }
    return failed.get();
  }

  private PodSample collectPod(PodRef pod) {
    Optional<CgroupStats> podStats = reader.read(pod.cgroupPath());
    List<ContainerSample> containers = new ArrayList<>(pod.containers().size());
    for (ContainerRef container : pod.containers()) {
      reader
          .read(container.cgroupPath())
          .ifPresent(stats -> containers.add(new ContainerSample(container, stats)));
    }
    List<InterfaceStats> network =
        pod.sandboxPid().isPresent() ? netDev.read(pod.sandboxPid().getAsLong()) : List.of();
    return new PodSample(pod, podStats, containers, network);
  }
}
