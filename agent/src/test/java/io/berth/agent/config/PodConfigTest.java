package io.berth.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PodConfigTest {
  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
  private final ManifestDecoder decoder = new ManifestDecoder();
  private PodConfig config;

  @BeforeEach
  void setUp() {
    config = new PodConfig(clock, decoder);
    config.register(ConfigSource.FILE);
    config.register(ConfigSource.HTTP);
  }

  private static Pod pod(String uid, String name, String image) {
    return new PodBuilder()
        .withNewMetadata()
        .withUid(uid)
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage(image)
        .endContainer()
        .endSpec()
        .build();
  }

  private void set(ConfigSource source, Pod... pods) {
    config.merge(new SourceSnapshot(source, List.of(pods), List.of()));
  }

  private List<String> updates() throws InterruptedException {
    return Updates.describeAll(Updates.drain(config));
  }

  @Test
  void addThenNoOpThenUpdateThenRemove() throws Exception {
    set(ConfigSource.FILE, pod("u1", "a", "img:1"));
    assertThat(updates()).containsExactly("ADD file [a]");
    set(ConfigSource.FILE, pod("u1", "a", "img:1"));
    assertThat(updates()).isEmpty();
    set(ConfigSource.FILE, pod("u1", "a", "img:2"));
    assertThat(updates()).containsExactly("UPDATE file [a]");
    set(ConfigSource.FILE);
    assertThat(updates()).containsExactly("REMOVE file [a]");
  }

  @Test
  void updateKeepsTheSeenAnnotationAndSetsTheSource() throws Exception {
    set(ConfigSource.FILE, pod("u1", "a", "img:1"));
    Pod added = Updates.drain(config).get(0).pods().get(0);
    assertThat(added.getMetadata().getAnnotations())
        .containsEntry(PodConfig.CONFIG_SOURCE_ANNOTATION, "file")
        .containsEntry(PodConfig.CONFIG_SEEN_ANNOTATION, "2026-11-24T09:00:00Z");
    clock.advance(java.time.Duration.ofMinutes(5));
    set(ConfigSource.FILE, pod("u1", "a", "img:2"));
    Pod updated = Updates.drain(config).get(0).pods().get(0);
    assertThat(updated.getMetadata().getAnnotations())
        .containsEntry(PodConfig.CONFIG_SEEN_ANNOTATION, "2026-11-24T09:00:00Z");
    assertThat(updated.getSpec().getContainers().get(0).getImage()).isEqualTo("img:2");
  }

  @Test
  void statusOnlyChangeIsReconcile() throws Exception {
    set(ConfigSource.FILE, pod("u1", "a", "img"));
    updates();
    Pod running = pod("u1", "a", "img");
    running.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
    set(ConfigSource.FILE, running);
    assertThat(updates()).containsExactly("RECONCILE file [a]");
  }

  @Test
  void deletionTimestampIsDelete() throws Exception {
    set(ConfigSource.FILE, pod("u1", "a", "img"));
    updates();
    Pod deleting = pod("u1", "a", "img");
    deleting.getMetadata().setDeletionTimestamp("2026-11-24T09:01:00Z");
    deleting.getMetadata().setDeletionGracePeriodSeconds(30L);
    set(ConfigSource.FILE, deleting);
    assertThat(updates()).containsExactly("DELETE file [a]");
  }

  @Test
  void orderOfOpsMatchesTheKubelet() throws Exception {
    set(ConfigSource.FILE, pod("u1", "a", "img"), pod("u2", "b", "img"));
    updates();
    Pod bRunning = pod("u2", "b", "img");
    bRunning.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
    set(ConfigSource.FILE, bRunning, pod("u3", "c", "img"));
    assertThat(updates()).containsExactly("REMOVE file [a]", "ADD file [c]", "RECONCILE file [b]");
  }

  @Test
  void allSourcesReadyAfterEachSourceSentASnapshot() throws Exception {
    assertThat(config.allSourcesReady()).isFalse();
    set(ConfigSource.FILE);
    assertThat(updates())
        .as("an empty first snapshot still announces the source")
        .containsExactly("ADD file []");
    assertThat(config.seenSources()).containsExactly(ConfigSource.FILE);
    assertThat(config.allSourcesReady()).isFalse();
    config.reportRejected(
        ConfigSource.HTTP,
        List.of(new RejectedManifest(ConfigSource.HTTP, "http://x", "bad", clock.instant())));
    assertThat(config.allSourcesReady())
        .as("a failed listing does not make a source ready")
        .isFalse();
    set(ConfigSource.HTTP, pod("h1", "h", "img"));
    assertThat(config.allSourcesReady()).isTrue();
    set(ConfigSource.FILE);
    assertThat(updates()).containsExactly("ADD http [h]");
  }

  @Test
  void sameFullNameFromTwoSourcesFirstWinsUntilItGoes() throws Exception {
    set(ConfigSource.FILE, pod("f1", "web", "img"));
    set(ConfigSource.HTTP, pod("h1", "web", "img"));
    assertThat(updates()).containsExactly("ADD file [web]", "ADD http []");
    assertThat(config.rejectedManifests())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.source()).isEqualTo(ConfigSource.HTTP);
              assertThat(r.location()).isEqualTo("web_default");
              assertThat(r.reason()).isEqualTo("pod full name is already provided by source file");
            });
    set(ConfigSource.FILE);
    assertThat(updates()).containsExactly("REMOVE file [web]", "ADD http [web]");
    assertThat(config.rejectedManifests()).isEmpty();
  }

  @Test
  void duplicateNameWithinASnapshotFirstWins() throws Exception {
    set(ConfigSource.HTTP, pod("h1", "web", "img:1"), pod("h2", "web", "img:2"));
    List<PodUpdate> u = Updates.drain(config);
    assertThat(Updates.describeAll(u)).containsExactly("ADD http [web]");
    assertThat(u.get(0).pods().get(0).getMetadata().getUid()).isEqualTo("h1");
    assertThat(config.rejectedManifests())
        .extracting(RejectedManifest::reason)
        .containsExactly("duplicate pod name in source http");
  }

  @Test
  void syncSendsTheMergedStateAndCopiesAreIndependent() throws Exception {
    set(ConfigSource.FILE, pod("u1", "a", "img"));
    Pod delivered = Updates.drain(config).get(0).pods().get(0);
    delivered.getSpec().getContainers().get(0).setImage("mutated");
    config.sync();
    assertThat(Updates.describeAll(Updates.drain(config))).containsExactly("SET * [a]");
    assertThat(config.mergedState().get(0).getSpec().getContainers().get(0).getImage())
        .isEqualTo("img");
  }

  @Test
  void exhaustiveSwitchOverUpdates() throws Exception {
    set(ConfigSource.FILE, pod("u1", "a", "img"));
    PodUpdate u = config.take();
    int n =
        switch (u) {
          case PodUpdate.Add a -> a.pods().size();
          case PodUpdate.Update x -> -1;
          case PodUpdate.Delete x -> -1;
          case PodUpdate.Remove x -> -1;
          case PodUpdate.Reconcile x -> -1;
          case PodUpdate.Set x -> -1;
        };
    assertThat(n).isEqualTo(1);
  }
}
