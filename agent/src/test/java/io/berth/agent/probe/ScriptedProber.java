package io.berth.agent.probe;

import io.berth.probes.ProbeHandler;
import io.berth.probes.ProbeResult;
import io.berth.probes.Prober;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A {@link Prober} that answers per handler what the test set (success by default). */
final class ScriptedProber implements Prober {
  record Call(ProbeHandler handler, ProbeTarget target) {}

  private final Map<ProbeHandler, ProbeResult> answers = new HashMap<>();
  private final List<Call> calls = new ArrayList<>();

  ScriptedProber answer(ProbeHandler handler, ProbeResult result) {
    answers.put(handler, result);
    return this;
  }

  List<Call> calls(ProbeHandler handler) {
    return calls.stream().filter(c -> c.handler().equals(handler)).toList();
  }

  @Override
  public CompletionStage<ProbeResult> probe(
      ProbeHandler handler, ProbeTarget target, Duration timeout) {
    calls.add(new Call(handler, target));
    return CompletableFuture.completedFuture(
        answers.getOrDefault(handler, ProbeResult.success("")));
  }
}
