package io.berth.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * containerd's CRI answers UNKNOWN "server is not initialized yet" for a moment after each start:
 * that is the runtime being unavailable, and idempotent reads wait it out within the retry window.
 */
class RuntimeStartingTest extends FakeCriTestBase {
  private static final Status STARTING =
      Status.UNKNOWN.withDescription("server is not initialized yet");

  @Override
  CriOptions options() {
    return super.options().withUnavailableRetryWindow(Duration.ofSeconds(1));
  }

  @Test
  void idempotentReadWaitsUntilTheRuntimeHasStarted() {
    server.runtime().calls().failNextTimes("Version", STARTING, 3);

    assertThat(runtime.version().runtimeApiVersion()).isEqualTo("v1");
  }

  @Test
  void mutationIsNotRetriedAndReportsUnavailable() {
    String sb = runtime.runPodSandbox(sandboxConfig("web"));
    server.runtime().calls().failNextTimes("StopPodSandbox", STARTING, 1);

    assertThatThrownBy(() -> runtime.stopPodSandbox(sb))
        .isInstanceOf(CriUnavailableException.class)
        .hasMessage(
            "StopPodSandbox "
                + sb
                + ": unavailable: the runtime is still starting"
                + " (server is not initialized yet)");
    runtime.stopPodSandbox(sb); // the next call goes through: nothing was retried behind our back
  }

  @Test
  void runtimeStillStartingAfterTheWindowIsUnavailable() {
    server.runtime().calls().failNextTimes("Version", STARTING, 1_000);

    assertThatThrownBy(runtime::version)
        .isInstanceOf(CriUnavailableException.class)
        .hasMessageContaining("Version")
        .hasMessageContaining("still starting");
  }
}
