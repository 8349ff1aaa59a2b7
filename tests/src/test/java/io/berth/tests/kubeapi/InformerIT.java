package io.berth.tests.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.agent.kubeapi.Informer;
import io.berth.agent.kubeapi.InformerEvent;
import io.berth.agent.kubeapi.KubeApiClient;
import io.berth.agent.kubeapi.Kubeconfig;
import io.berth.agent.kubeapi.KubeconfigLoader;
import io.berth.agent.kubeapi.RateLimiter;
import io.berth.agent.kubeapi.ResourcePath;
import io.berth.agent.kubeapi.RetryBackoff;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.ObjectStore;
import io.berth.tests.apiserver.TestApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * berth's informer against the test API server under faults: streams cut mid-event, dropped
 * connections, 500s, 410 storms, an outage. The informer's view must equal the server's and the
 * events it emits must neither lose nor duplicate a change.
 */
class InformerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NODE = "node-a";

  @TempDir Path dir;
  private TestApiServer server;
  private KubeApiClient client;
  private Informer<Pod> informer;
  private final List<String> emitted = Collections.synchronizedList(new ArrayList<>());
  private final List<InformerEvent<Pod>> events = Collections.synchronizedList(new ArrayList<>());
  private final Random random = new Random(42);

  @BeforeEach
  void start() throws Exception {
    server = TestApiServer.builder().tls(true).bookmarkInterval(Duration.ofMillis(300)).start();
    Kubeconfig config =
        new KubeconfigLoader()
            .load(server.writeKubeconfig(dir.resolve("kubeconfig")), Optional.empty());
    client = KubeApiClient.create(config, Clock.systemUTC(), "berth-test");
  }

  @AfterEach
  void stop() throws Exception {
    if (informer != null) {
      informer.close();
    }
    server.close();
  }

  private void startInformer() throws InterruptedException {
    informer =
        new Informer<>(
            client,
            Pod.class,
            new Informer.Options(
                ResourcePath.PODS, null, "spec.nodeName=" + NODE, Duration.ofSeconds(2)),
            e -> {
              events.add(e);
              emitted.add(describe(e));
            },
            new RetryBackoff(
                Duration.ofMillis(10),
                Duration.ofMillis(200),
                Duration.ofMinutes(2),
                Clock.systemUTC(),
                random::nextDouble),
            RateLimiter.Sleeper.THREAD);
    informer.start();
    assertThat(informer.awaitSynced(Duration.ofSeconds(30))).isTrue();
  }

  private static String describe(InformerEvent<Pod> e) {
    return switch (e) {
      case InformerEvent.Added<Pod> a -> "ADDED " + name(a.object()) + " " + rv(a.object());
      case InformerEvent.Updated<Pod> u -> "MODIFIED " + name(u.current()) + " " + rv(u.current());
      case InformerEvent.Deleted<Pod> d -> "DELETED " + name(d.last()) + " " + rv(d.last());
    };
  }

  private static String name(Pod p) {
    return p.getMetadata().getName();
  }

  private static String rv(Pod p) {
    return p.getMetadata().getResourceVersion();
  }

  private ObjectNode pod(String name, String node) {
    ObjectNode pod = JSON.createObjectNode();
    pod.putObject("metadata").put("name", name).putObject("labels").put("gen", "0");
    ObjectNode spec = pod.putObject("spec");
    spec.put("nodeName", node);
    spec.putArray("containers").addObject().put("name", "c").put("image", "busybox:1");
    return pod;
  }

  /** One random change through the store: create, relabel, status, delete; some on other nodes. */
  private void mutate(ObjectStore store, int i) {
    List<String> mine = new ArrayList<>();
    store
        .list(ApiResources.PODS, "default", o -> true, 0, null, null)
        .items()
        .forEach(o -> mine.add(o.path("metadata").path("name").asText()));
    int op = random.nextInt(10);
    try {
      if (op < 3 || mine.isEmpty()) {
        store.create(
            ApiResources.PODS, "default", pod("p" + i, random.nextInt(4) == 0 ? "node-b" : NODE));
      } else {
        String name = mine.get(random.nextInt(mine.size()));
        if (op < 6) {
          store.patch(
              ApiResources.PODS,
              "default",
              name,
              "application/merge-patch+json",
              JSON.readTree("{\"metadata\":{\"labels\":{\"gen\":\"" + i + "\"}}}"),
              false);
        } else if (op < 8) {
          store.patch(
              ApiResources.PODS,
              "default",
              name,
              "application/merge-patch+json",
              JSON.readTree(
                  "{\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.0." + (i % 250) + "\"}}"),
              true);
        } else {
          store.delete(ApiResources.PODS, "default", name, 0L, null, null);
        }
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every change the server makes to NODE's pods after the informer's list, as "TYPE name rv". */
  private List<String> serverChangesSinceInformerSync() {
    List<String> truth = Collections.synchronizedList(new ArrayList<>());
    server
        .store()
        .watch(
            ApiResources.PODS,
            null,
            o -> o.path("spec").path("nodeName").asText().equals(NODE),
            informer.lastSyncResourceVersion(),
            (type, o) ->
                truth.add(
                    type
                        + " "
                        + o.path("metadata").path("name").asText()
                        + " "
                        + o.path("metadata").path("resourceVersion").asText()));
    return truth;
  }

  /** The server's pods on NODE: name → resourceVersion. */
  private Map<String, String> serverView() {
    Map<String, String> view = new TreeMap<>();
    server
        .store()
        .list(
            ApiResources.PODS,
            null,
            o -> o.path("spec").path("nodeName").asText().equals(NODE),
            0,
            null,
            null)
        .items()
        .forEach(
            o ->
                view.put(
                    o.path("metadata").path("name").asText(),
                    o.path("metadata").path("resourceVersion").asText()));
    return view;
  }

  private Map<String, String> informerView() {
    Map<String, String> view = new TreeMap<>();
    informer.list().forEach(p -> view.put(name(p), rv(p)));
    return view;
  }

  private void awaitCaughtUp() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!informerView().equals(serverView()) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(informerView()).isEqualTo(serverView());
  }

  @Test
  void cutAndDroppedStreamsLoseAndDuplicateNothing() throws Exception {
    for (int i = 0; i < 20; i++) {
      mutate(server.store(), i);
    }
    startInformer();
    List<String> truth = serverChangesSinceInformerSync();
    int before = emitted.size();

    AtomicBoolean done = new AtomicBoolean();
    Thread faults =
        Thread.ofPlatform()
            .start(
                () -> {
                  int n = 0;
                  while (!done.get()) {
                    switch (n++ % 3) {
                      case 0 -> server.faults().cutWatchesMidEvent();
                      case 1 -> server.faults().dropWatches();
                      default -> server.faults().failNext(2, 500, r -> r.watch());
                    }
                    try {
                      Thread.sleep(40);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    for (int i = 20; i < 420; i++) {
      mutate(server.store(), i);
      if (i % 2 == 0) {
        Thread.sleep(10);
      }
    }
    done.set(true);
    faults.join();
    server.faults().clear();
    awaitCaughtUp();

    List<String> after = new ArrayList<>(emitted.subList(before, emitted.size()));
    assertThat(truth).hasSizeGreaterThan(250);
    assertThat(after).as("every change exactly once, in order").isEqualTo(truth);
    assertThat(informer.relists()).as("no 410: re-watches only").isEqualTo(1);
    long watches = server.requests().entries().stream().filter(e -> e.watch()).count();
    assertThat(watches).as("the faults really cut streams").isGreaterThan(10);
  }

  @Test
  void goneStormsRelistAndEmitOnlyRealDifferences() throws Exception {
    for (int i = 0; i < 30; i++) {
      mutate(server.store(), i);
    }
    startInformer();
    for (int round = 0; round < 15; round++) {
      // keep the informer away while its version is compacted: its next watch gets 410
      server.faults().failNext(1_000_000, 500, r -> r.watch());
      server.faults().dropWatches();
      for (int j = 0; j < 10; j++) {
        mutate(server.store(), 1000 + round * 10 + j);
      }
      server.store().compact();
      server.faults().clear();
      if (round % 3 == 0) {
        server.faults().failNext(3, 410);
      }
      Thread.sleep(300);
    }
    server.faults().clear();
    awaitCaughtUp();
    assertThat(informer.relists()).isGreaterThan(3);

    Map<String, String> replayed = new TreeMap<>();
    Map<String, Long> lastVersion = new HashMap<>();
    synchronized (events) {
      for (InformerEvent<Pod> e : events) {
        switch (e) {
          case InformerEvent.Added<Pod> a -> {
            assertThat(replayed)
                .as("Added for a name already present")
                .doesNotContainKey(name(a.object()));
            replayed.put(name(a.object()), rv(a.object()));
          }
          case InformerEvent.Updated<Pod> u -> {
            assertThat(rv(u.current()))
                .as("an update that changes nothing")
                .isNotEqualTo(rv(u.old()));
            assertThat(replayed.get(name(u.current()))).isEqualTo(rv(u.old()));
            replayed.put(name(u.current()), rv(u.current()));
          }
          case InformerEvent.Deleted<Pod> d -> {
            assertThat(replayed).containsKey(name(d.last()));
            replayed.remove(name(d.last()));
          }
        }
        Pod p =
            switch (e) {
              case InformerEvent.Added<Pod> a -> a.object();
              case InformerEvent.Updated<Pod> u -> u.current();
              case InformerEvent.Deleted<Pod> d -> d.last();
            };
        long v = Long.parseLong(rv(p));
        Long previous = lastVersion.put(name(p) + "/" + p.getMetadata().getUid(), v);
        if (previous != null && !(e instanceof InformerEvent.Deleted<Pod>)) {
          assertThat(v).as("versions of one object only move forward").isGreaterThan(previous);
        }
      }
    }
    assertThat(replayed)
        .as("the emitted events rebuild the server's state")
        .isEqualTo(serverView());
  }

  @Test
  void outagesAndServerErrorsEndInTheServersState() throws Exception {
    for (int i = 0; i < 10; i++) {
      mutate(server.store(), i);
    }
    server.faults().failNext(4, 500);
    server.faults().failNext(2, 429, r -> !r.watch());
    startInformer();
    int before = emitted.size();
    List<String> truth = serverChangesSinceInformerSync();

    server.stop();
    for (int i = 10; i < 60; i++) {
      mutate(server.store(), i);
    }
    Thread.sleep(1500);
    server.restart();
    awaitCaughtUp();
    assertThat(new ArrayList<>(emitted.subList(before, emitted.size())))
        .as("changes during the outage are replayed from the history, each once")
        .isEqualTo(truth);
    assertThat(server.requests().entries())
        .allSatisfy(e -> assertThat(e.authorization()).isEqualTo("Bearer " + TestApiServer.TOKEN));
  }
}
