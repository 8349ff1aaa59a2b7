package io.berth.probes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A {@link Prober} that answers from a script per probe handler: queued results first, then a
 * default. Records every call with the scheduler's time.
 */
public final class FakeProber implements Prober {
  public record Call(ProbeHandler handler, ProbeTarget target, Instant at) {}

  private final ManualProbeScheduler scheduler;
  private final List<Call> calls = new ArrayList<>();
  private final java.util.Map<ProbeHandler, Deque<CompletableFuture<ProbeResult>>> scripted =
      new java.util.HashMap<>();
  private Function<ProbeHandler, ProbeResult> fallback = h -> ProbeResult.success("");

  public FakeProber(ManualProbeScheduler scheduler) {
    this.scheduler = scheduler;
  }

  public FakeProber answer(Function<ProbeHandler, ProbeResult> fallback) {
    this.fallback = fallback;
    return this;
  }

  /** Queues results for {@code handler}, used before the fallback. */
  public FakeProber then(ProbeHandler handler, ProbeResult... results) {
    var q = scripted.computeIfAbsent(handler, h -> new ArrayDeque<>());
    for (var r : results) {
      q.add(CompletableFuture.completedFuture(r));
    }
    return this;
  }

  /** Queues a result the test completes itself (a slow probe). */
  public CompletableFuture<ProbeResult> pending(ProbeHandler handler) {
    var f = new CompletableFuture<ProbeResult>();
    scripted.computeIfAbsent(handler, h -> new ArrayDeque<>()).add(f);
    return f;
  }

  @Override
  public CompletionStage<ProbeResult> probe(
      ProbeHandler handler, ProbeTarget target, Duration timeout) {
    calls.add(new Call(handler, target, scheduler.now()));
    var q = scripted.get(handler);
    if (q != null && !q.isEmpty()) {
      return q.poll();
    }
    return CompletableFuture.completedFuture(fallback.apply(handler));
  }

  public List<Call> calls() {
    return calls;
  }

  public List<Call> calls(ProbeHandler handler) {
    return calls.stream().filter(c -> c.handler().equals(handler)).toList();
  }
}
