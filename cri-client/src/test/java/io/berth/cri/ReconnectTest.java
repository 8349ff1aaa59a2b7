package io.berth.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The runtime restarts on the same socket; the client keeps working without reconnecting. */
class ReconnectTest extends FakeCriTestBase {

  @Override
  CriOptions options() {
    return CriOptions.defaults()
        .withStatusTimeout(Duration.ofSeconds(3))
        .withUnavailableRetryWindow(Duration.ofMillis(500));
  }

  @Test
  void callsFailTypedWhileDownAndSucceedAfterRestart() {
    String sb = runtime.runPodSandbox(sandboxConfig("web"));
    assertThat(runtime.status().runtimeReady()).isTrue();

    server.stop();

    assertThatThrownBy(() -> runtime.podSandboxStatus(sb))
        .isInstanceOf(CriUnavailableException.class)
        .hasMessageStartingWith(
            "PodSandboxStatus "
                + sb
                + ": unavailable: no CRI runtime listening at "
                + server.endpoint()
                + ": socket file does not exist");
    assertThatThrownBy(() -> runtime.stopPodSandbox(sb))
        .isInstanceOf(CriUnavailableException.class)
        .hasMessageStartingWith("StopPodSandbox " + sb + ": unavailable: ");

    server.start();

    // A read right after the restart succeeds (the channel skips its backoff and reconnects).
    assertThat(runtime.podSandboxStatus(sb).ready()).isTrue();
    // So does a mutation, which is never retried.
    runtime.stopPodSandbox(sb);
    assertThat(runtime.podSandboxStatus(sb).ready()).isFalse();
  }

  @Test
  void mutationRightAfterRestartSucceeds() {
    server.stop();
    assertThatThrownBy(() -> runtime.status()).isInstanceOf(CriUnavailableException.class);
    server.start();

    assertThat(runtime.runPodSandbox(sandboxConfig("after"))).isEqualTo("sb-1");
  }
}
