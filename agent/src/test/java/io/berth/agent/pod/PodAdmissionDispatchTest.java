package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.admission.Admission;
import io.berth.agent.config.ConfigSource;
import io.berth.agent.config.PodUpdate;
import io.berth.agent.testing.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** New pods pass admission before a worker starts them; a rejected pod is Failed and stays so. */
class PodAdmissionDispatchTest {
  final PodWorkersTest.GatedSyncer syncer = new PodWorkersTest.GatedSyncer();
  final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
  final PodWorkers workers = new PodWorkers(syncer, clock);
  final PodStatusView statuses = new PodStatusView(clock, new ObjectMapper(), List::of);
  final List<List<String>> seenActive = new ArrayList<>();
  final Set<String> terminal = new HashSet<>();
  final PodDispatcher dispatcher =
      new PodDispatcher(
          workers,
          () -> new PodLifecycleEventGenerator.RuntimePods(Set.of(), Instant.EPOCH),
          Set::of,
          () -> false,
          new PodDispatcher.Gate(
              (pod, active) -> {
                seenActive.add(active.stream().map(p -> p.getMetadata().getName()).toList());
                return pod.getMetadata().getName().startsWith("bad")
                    ? new Admission.Reject("SysctlForbidden", "forbidden sysctl: \"vm.x\"")
                    : Admission.ADMIT;
              },
              terminal::contains,
              statuses::reject));

  @AfterEach
  void close() {
    workers.close();
  }

  static Pod pod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .withUid("uid-" + name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage("i")
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void aRejectedPodIsFailedWithTheReasonAndNeverSynced() throws Exception {
    dispatcher.podUpdate(new PodUpdate.Add(ConfigSource.FILE, List.of(pod("good"), pod("bad"))));

    assertThat(syncer.next()).startsWith("sync");
    Pod bad = statuses.get("uid-bad").orElseThrow();
    assertThat(bad.getStatus().getPhase()).isEqualTo("Failed");
    assertThat(bad.getStatus().getReason()).isEqualTo("SysctlForbidden");
    assertThat(bad.getStatus().getMessage())
        .isEqualTo("Pod was rejected: forbidden sysctl: \"vm.x\"");
    assertThat(workers.knownUids()).containsExactly("uid-good");

    dispatcher.podUpdate(new PodUpdate.Update(ConfigSource.FILE, List.of(pod("bad"))));
    assertThat(workers.knownUids()).as("updates do not re-admit").containsExactly("uid-good");
    assertThat(syncer.events).isEmpty();
  }

  @Test
  void admissionSeesTheActiveAdmittedPodsOnly() throws Exception {
    dispatcher.podUpdate(new PodUpdate.Add(ConfigSource.FILE, List.of(pod("a"))));
    syncer.next();
    dispatcher.podUpdate(new PodUpdate.Add(ConfigSource.FILE, List.of(pod("b"))));
    syncer.next();
    terminal.add("uid-a");
    dispatcher.podUpdate(new PodUpdate.Add(ConfigSource.FILE, List.of(pod("c"))));
    syncer.next();

    assertThat(seenActive).containsExactly(List.of(), List.of("a"), List.of("b"));
  }
}
