package io.berth.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Deadlines are checked by reading the deadline the fake server received, not by waiting. */
class DeadlineTest extends FakeCriTestBase {

  @Override
  CriOptions options() {
    return CriOptions.defaults()
        .withRequestTimeout(Duration.ofSeconds(100))
        .withStatusTimeout(Duration.ofMillis(300))
        .withPullTimeout(Duration.ofMinutes(20))
        .withExecSyncMargin(Duration.ofSeconds(15));
  }

  @Test
  void readsUseTheStatusTimeoutAndMutationsTheRequestTimeout() {
    String sb = runtime.runPodSandbox(sandboxConfig("web"));
    runtime.listPodSandbox(PodSandboxFilter.all());
    runtime.podSandboxStatus(sb);

    assertThat(server.runtime().calls().lastDeadline("RunPodSandbox"))
        .isBetween(Duration.ofSeconds(95), Duration.ofSeconds(100));
    assertThat(server.runtime().calls().lastDeadline("ListPodSandbox"))
        .isLessThanOrEqualTo(Duration.ofMillis(300));
    assertThat(server.runtime().calls().lastDeadline("PodSandboxStatus"))
        .isLessThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void execSyncDeadlineIsCommandTimeoutPlusMargin() {
    String sb = runtime.runPodSandbox(sandboxConfig("web"));
    String id = runtime.createContainer(sb, containerConfig("app"), null);

    runtime.execSync(id, List.of("true"), Duration.ofSeconds(30));
    assertThat(server.runtime().calls().lastDeadline("ExecSync"))
        .isBetween(Duration.ofSeconds(40), Duration.ofSeconds(45));

    runtime.execSync(id, List.of("true"), Duration.ZERO);
    assertThat(server.runtime().calls().lastDeadline("ExecSync"))
        .isBetween(Duration.ofSeconds(95), Duration.ofSeconds(100));
  }

  @Test
  void stopContainerDeadlineIncludesTheGracePeriod() {
    String sb = runtime.runPodSandbox(sandboxConfig("web"));
    String id = runtime.createContainer(sb, containerConfig("app"), null);

    runtime.stopContainer(id, Duration.ofSeconds(30));

    assertThat(server.runtime().calls().lastDeadline("StopContainer"))
        .isBetween(Duration.ofSeconds(125), Duration.ofSeconds(130));
  }

  @Test
  void pullUsesThePullTimeout() {
    cri.images().pullImage("busybox:1.36");

    assertThat(server.images().calls().lastDeadline("PullImage"))
        .isBetween(Duration.ofMinutes(19), Duration.ofMinutes(20));
  }

  @Test
  void slowReadFailsWithDeadlineExceeded() {
    server.runtime().calls().delay("ListContainers", Duration.ofMillis(800));

    assertThatThrownBy(() -> runtime.listContainers(ContainerFilter.all()))
        .isInstanceOf(CriDeadlineExceededException.class)
        .hasMessageStartingWith("ListContainers: deadline exceeded: no answer within 300ms");
  }
}
