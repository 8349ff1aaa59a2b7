package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.kuberuntime.PodActions;
import io.berth.agent.kuberuntime.PodActions.KillReason;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The grace period a container is killed with (kuberuntime_container.go killContainer). */
class KillGraceTest {
  private static final Duration POD_GRACE = Duration.ofSeconds(30);

  private final Pod pod =
      new PodBuilder()
          .withNewSpec()
          .withTerminationGracePeriodSeconds(30L)
          .addToContainers(
              new ContainerBuilder()
                  .withName("app")
                  .withLivenessProbe(
                      new ProbeBuilder()
                          .withNewExec()
                          .withCommand("true")
                          .endExec()
                          .withTerminationGracePeriodSeconds(5L)
                          .build())
                  .withStartupProbe(
                      new ProbeBuilder()
                          .withNewExec()
                          .withCommand("true")
                          .endExec()
                          .withTerminationGracePeriodSeconds(1L)
                          .build())
                  .build(),
              new ContainerBuilder()
                  .withName("plain")
                  .withLivenessProbe(
                      new ProbeBuilder().withNewExec().withCommand("true").endExec().build())
                  .build())
          .endSpec()
          .build();

  @Test
  void aFailedProbesOwnGracePeriodWinsOverThePods() {
    assertThat(grace("app", KillReason.LIVENESS_PROBE_FAILED)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void theKubeletsTwoSecondMinimumStillHolds() {
    assertThat(grace("app", KillReason.STARTUP_PROBE_FAILED)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void withoutAProbeGraceOrForOtherReasonsThePodsGraceApplies() {
    assertThat(grace("plain", KillReason.LIVENESS_PROBE_FAILED)).isEqualTo(POD_GRACE);
    assertThat(grace("app", KillReason.SPEC_CHANGED)).isEqualTo(POD_GRACE);
    assertThat(grace("app", KillReason.UNKNOWN_STATE)).isEqualTo(POD_GRACE);
  }

  private Duration grace(String container, KillReason reason) {
    return RuntimePodSyncer.killGrace(
        pod, new PodActions.KillInfo(container, reason, "test"), POD_GRACE);
  }
}
