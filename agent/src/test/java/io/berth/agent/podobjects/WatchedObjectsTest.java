package io.berth.agent.podobjects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class WatchedObjectsTest {
  /** Watches the test controls: synced or not, the object's data, started/closed. */
  private static final class FakeWatch implements WatchedObjects.ObjectWatch {
    final ObjectKey key;
    final Runnable changed;
    volatile boolean synced = true;
    volatile Map<String, String> data;
    volatile boolean closed;
    Duration waited;

    FakeWatch(ObjectKey key, Runnable changed) {
      this.key = key;
      this.changed = changed;
    }

    @Override
    public boolean awaitSynced(Duration timeout) {
      waited = timeout;
      return synced;
    }

    @Override
    public Optional<Map<String, String>> data() {
      return Optional.ofNullable(data);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private final Map<ObjectKey, FakeWatch> started = new HashMap<>();
  private final List<FakeWatch> all = new ArrayList<>();
  private final List<Pod> pods = new CopyOnWriteArrayList<>();
  private final List<String> woken = new CopyOnWriteArrayList<>();
  private boolean syncNewWatches = true;
  private final WatchedObjects objects =
      new WatchedObjects(
          (key, changed) -> {
            FakeWatch w = new FakeWatch(key, changed);
            w.synced = syncNewWatches;
            started.put(key, w);
            all.add(w);
            return w;
          },
          () -> pods,
          woken::add);

  @Test
  void readsStartOneWatchPerObjectAndAnswerFromIt() {
    assertThat(objects.configMap("ns", "app")).isEmpty();
    FakeWatch w = started.get(ObjectKey.configMap("ns", "app"));
    assertThat(w.waited).isEqualTo(Duration.ofSeconds(1));
    w.data = Map.of("k", "v");
    assertThat(objects.configMap("ns", "app")).contains(Map.of("k", "v"));
    assertThat(objects.secret("ns", "app"))
        .as("a Secret of the same name is another object")
        .isEmpty();
    assertThat(all).hasSize(2);
  }

  @Test
  void anUnsyncedWatchIsNeitherDataNorNotFound() {
    syncNewWatches = false;
    assertThatThrownBy(() -> objects.secret("ns", "creds"))
        .isInstanceOf(ObjectNotSyncedException.class)
        .hasMessage(
            "failed to sync secret cache for ns/creds: timed out waiting for the condition");
    started.get(ObjectKey.secret("ns", "creds")).synced = true;
    assertThat(objects.secret("ns", "creds")).isEmpty();
    assertThat(all).as("the same watch is asked again").hasSize(1);
  }

  @Test
  void objectsAreWatchedWhileAPodRefersToThem() {
    Pod a = pod("a", "cm-a", "shared");
    Pod b = pod("b", "cm-b", "shared");
    pods.addAll(List.of(a, b));
    objects.syncRegistrations();
    assertThat(objects.watched())
        .containsExactlyInAnyOrder(
            ObjectKey.configMap("default", "cm-a"),
            ObjectKey.configMap("default", "cm-b"),
            ObjectKey.secret("default", "shared"),
            ObjectKey.configMap("default", "env-cm"),
            ObjectKey.secret("default", "from-secret"),
            ObjectKey.configMap("default", "projected-cm"));
    objects.syncRegistrations();
    assertThat(all).as("no second watch for a watched object").hasSize(6);

    pods.remove(a);
    objects.syncRegistrations();
    assertThat(started.get(ObjectKey.configMap("default", "cm-a")).closed).isTrue();
    assertThat(started.get(ObjectKey.secret("default", "shared")).closed)
        .as("b still refers to it")
        .isFalse();
    assertThat(objects.watched()).doesNotContain(ObjectKey.configMap("default", "cm-a"));

    pods.clear();
    objects.syncRegistrations();
    assertThat(objects.watched()).isEmpty();
    assertThat(all).allMatch(w -> w.closed);
  }

  @Test
  void aChangeWakesOnlyThePodsThatReferToTheObject() {
    pods.addAll(List.of(pod("a", "cm-a", "shared"), pod("b", "cm-b", "shared")));
    objects.syncRegistrations();
    started.get(ObjectKey.configMap("default", "cm-a")).changed.run();
    assertThat(woken).containsExactly("uid-a");
    woken.clear();
    started.get(ObjectKey.secret("default", "shared")).changed.run();
    assertThat(woken).containsExactlyInAnyOrder("uid-a", "uid-b");
  }

  @Test
  void closedManagerStopsEveryWatchAndStartsNoMore() {
    objects.configMap("ns", "x");
    objects.close();
    assertThat(all).allMatch(w -> w.closed);
    assertThatThrownBy(() -> objects.configMap("ns", "y"))
        .isInstanceOf(ObjectNotSyncedException.class);
    assertThat(all).hasSize(1);
  }

  @Test
  void podApiObjectsPreferTheApiAndFallBackToStaticObjects() {
    PodObjects po =
        new PodObjects(
            new io.berth.agent.kuberuntime.ConfigSource() {
              @Override
              public Optional<Map<String, String>> configMap(String ns, String name) {
                return Optional.of(Map.of("from", "static"));
              }

              @Override
              public Optional<Map<String, String>> secret(String ns, String name) {
                return Optional.empty();
              }
            });
    assertThat(po.configMap("ns", "app")).contains(Map.of("from", "static"));
    po.attach(objects);
    assertThat(po.configMap("ns", "app")).as("not in the API").contains(Map.of("from", "static"));
    started.get(ObjectKey.configMap("ns", "app")).data = Map.of("from", "api");
    assertThat(po.configMap("ns", "app")).contains(Map.of("from", "api"));
  }

  /** A pod using configMap volume {@code cm}, a secret volume, env and envFrom references. */
  private static Pod pod(String name, String cm, String secret) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .withUid("uid-" + name)
        .endMetadata()
        .withNewSpec()
        .addNewVolume()
        .withName("cfg")
        .withNewConfigMap()
        .withName(cm)
        .endConfigMap()
        .endVolume()
        .addNewVolume()
        .withName("sec")
        .withNewSecret()
        .withSecretName(secret)
        .endSecret()
        .endVolume()
        .addNewVolume()
        .withName("proj")
        .withNewProjected()
        .addNewSource()
        .withNewConfigMap()
        .withName("projected-cm")
        .endConfigMap()
        .endSource()
        .endProjected()
        .endVolume()
        .addNewContainer()
        .withName("main")
        .addNewEnv()
        .withName("X")
        .withNewValueFrom()
        .withNewConfigMapKeyRef()
        .withName("env-cm")
        .withKey("x")
        .endConfigMapKeyRef()
        .endValueFrom()
        .endEnv()
        .addNewEnvFrom()
        .withNewSecretRef()
        .withName("from-secret")
        .endSecretRef()
        .endEnvFrom()
        .endContainer()
        .endSpec()
        .build();
  }
}
