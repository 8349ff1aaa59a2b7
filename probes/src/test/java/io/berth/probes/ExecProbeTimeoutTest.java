package io.berth.probes;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.probes.ProbeResult.Outcome;
import io.berth.probes.prober.ExecProber;
import io.berth.probes.prober.ExecRunner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Exec probes through a fake {@link ExecRunner}: results, output bound, timeouts on the manual
 * clock.
 */
class ExecProbeTimeoutTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  final ManualProbeScheduler sched = new ManualProbeScheduler(T0);
  final List<CompletableFuture<ExecRunner.ExecResult>> calls = new ArrayList<>();
  final ExecRunner hanging =
      (id, cmd, timeout) -> {
        var f = new CompletableFuture<ExecRunner.ExecResult>();
        calls.add(f);
        return f;
      };

  @Test
  void exitCodeDecidesAndOutputIsBounded() {
    var big = new byte[20_000];
    java.util.Arrays.fill(big, (byte) 'x');
    ExecRunner runner =
        (id, cmd, t) ->
            CompletableFuture.completedFuture(
                cmd.get(0).equals("true")
                    ? new ExecRunner.ExecResult(
                        0, "ok\n".getBytes(StandardCharsets.UTF_8), new byte[0])
                    : new ExecRunner.ExecResult(1, big, "err".getBytes(StandardCharsets.UTF_8)));
    var prober = new ExecProber(runner, sched);
    var ok =
        prober.probe("c1", List.of("true"), Duration.ofSeconds(1)).toCompletableFuture().join();
    assertThat(ok).isEqualTo(ProbeResult.success("ok\n"));
    var bad =
        prober.probe("c1", List.of("false"), Duration.ofSeconds(1)).toCompletableFuture().join();
    assertThat(bad.outcome()).isEqualTo(Outcome.FAILURE);
    assertThat(bad.message()).hasSize(10 * 1024);
  }

  @Test
  void timeoutIsAFailureAndCancelsTheCall() {
    var prober = new ExecProber(hanging, sched);
    var result =
        prober.probe("c1", List.of("sleep", "10"), Duration.ofSeconds(1)).toCompletableFuture();
    sched.advance(Duration.ofMillis(999));
    assertThat(result).isNotDone();
    sched.advance(Duration.ofMillis(1));
    assertThat(result.join()).isEqualTo(ProbeResult.failure("command \"sleep 10\" timed out"));
    assertThat(calls.get(0)).isCancelled();
  }

  @Test
  void runnerErrorIsUnknown() {
    ExecRunner broken =
        (id, cmd, t) -> CompletableFuture.failedFuture(new IllegalStateException("CRI down"));
    var r =
        new ExecProber(broken, sched)
            .probe("c1", List.of("true"), Duration.ofSeconds(1))
            .toCompletableFuture()
            .join();
    assertThat(r.outcome()).isEqualTo(Outcome.UNKNOWN);
    assertThat(r.message()).contains("c1").contains("CRI down");
  }

  @Test
  void livenessTimeoutsRestartTheContainerAfterTheThreshold() {
    var exec = new ExecProber(hanging, sched);
    Prober prober =
        (handler, target, timeout) ->
            switch (handler) {
              case ProbeHandler.Exec e -> exec.probe(target.containerId(), e.command(), timeout);
              default -> throw new AssertionError(handler);
            };
    var results = new ProbeResults();
    var manager = new ProbeManager(prober, results, new ProbeMetrics(), sched, () -> 0L);
    var pod = new PodRef("u", "ns", "p");
    manager.addContainer(
        pod,
        "app",
        ContainerProbes.none().withLiveness(ProbeSpec.of(new ProbeHandler.Exec(List.of("check")))));
    manager.updateContainer("u", "app", ContainerState.running("c1", T0, "10.0.0.7"));
    sched.advance(Duration.ofMillis(20_999));
    var updates = new ArrayList<ProbeUpdate>();
    results.drainTo(updates);
    assertThat(updates).noneMatch(ProbeUpdate::restartContainer);
    sched.advance(Duration.ofMillis(1));
    results.drainTo(updates);
    assertThat(updates.getLast().restartContainer()).isTrue();
    assertThat(updates.getLast().result().message()).isEqualTo("command \"check\" timed out");
    assertThat(calls).hasSize(3).allMatch(CompletableFuture::isCancelled);
  }
}
