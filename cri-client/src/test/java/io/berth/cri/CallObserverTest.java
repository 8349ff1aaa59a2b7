package io.berth.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Every call is reported once with its operation, time and outcome, retries included. */
class CallObserverTest extends FakeCriTestBase {
  record Call(String operation, Duration elapsed, String outcome) {}

  private final List<Call> calls = new CopyOnWriteArrayList<>();

  @Override
  CriOptions options() {
    return super.options().withUnavailableRetryWindow(Duration.ofSeconds(1));
  }

  /** Replaces the base class's client with one that reports to {@link #calls}. */
  private RuntimeService observed() {
    cri.close();
    cri =
        CriRuntime.connect(
            server.endpoint(),
            options(),
            (op, elapsed, outcome) -> calls.add(new Call(op, elapsed, outcome)));
    return cri.runtime();
  }

  @Test
  void successesAndFailuresAreReportedWithTheirOutcome() {
    RuntimeService rt = observed();
    String sb = rt.runPodSandbox(sandboxConfig("web"));
    server.runtime().calls().failNext("StopPodSandbox", Status.NOT_FOUND.withDescription("gone"));

    assertThatThrownBy(() -> rt.stopPodSandbox(sb)).isInstanceOf(CriNotFoundException.class);

    assertThat(calls)
        .extracting(Call::operation)
        .containsExactly("RunPodSandbox", "StopPodSandbox");
    assertThat(calls).extracting(Call::outcome).containsExactly("OK", "NOT_FOUND");
    assertThat(calls).allSatisfy(c -> assertThat(c.elapsed()).isPositive());
  }

  @Test
  void aReadRetriedWhileTheRuntimeStartsIsOneCall() {
    RuntimeService rt = observed();
    server
        .runtime()
        .calls()
        .failNextTimes(
            "Version", Status.UNKNOWN.withDescription("server is not initialized yet"), 2);

    rt.version();

    assertThat(calls)
        .extracting(Call::operation, Call::outcome)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("Version", "OK"));
    assertThat(calls.get(0).elapsed())
        .isGreaterThanOrEqualTo(Duration.ofMillis(200)); // two 100 ms polls
  }
}
