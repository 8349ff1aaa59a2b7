package io.berth.metrics.bench;

import io.berth.metrics.Fixtures;
import io.berth.metrics.ManyPodSnapshots;
import io.berth.metrics.StatsSnapshot;
import io.berth.metrics.exposition.CadvisorMetricsRenderer;
import io.berth.metrics.exposition.DeviceNames;
import java.util.Arrays;
import java.util.Locale;

/**
 * Time of rendering {@code /metrics/cadvisor} alone for {@code N} pods of one container each (the
 * fixture pod's stats copied under distinct names and cgroup paths), to see the renderer's share of
 * a scrape without cgroupfs. A main class: {@code java -cp <test classpath>
 * io.berth.metrics.bench.RenderTiming [pods] [iterations]}.
 */
public final class RenderTiming {
  private RenderTiming() {}

  public static void main(String[] args) {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 110;
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    StatsSnapshot snapshot = ManyPodSnapshots.of(pods, 1, false);
    CadvisorMetricsRenderer renderer =
        new CadvisorMetricsRenderer(DeviceNames.sysfs(Fixtures.resource("sys-fixtures")));
    long[] nanos = new long[iterations];
    int bytes = 0;
    for (int warm = 0; warm < iterations; warm++) {
      bytes = renderer.renderUtf8(snapshot).length;
    }
    for (int i = 0; i < iterations; i++) {
      long t0 = System.nanoTime();
      bytes = renderer.renderUtf8(snapshot).length;
      nanos[i] = System.nanoTime() - t0;
    }
    Arrays.sort(nanos);
    System.out.printf(
        Locale.ROOT,
        "render to UTF-8 bytes, %d pods, %d bytes: p50 %.2f ms, p90 %.2f ms%n",
        pods,
        bytes,
        nanos[iterations / 2] / 1e6,
        nanos[iterations * 9 / 10] / 1e6);
  }
}
