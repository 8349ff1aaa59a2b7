package io.berth.tests.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.agent.config.PodConfig;
import io.berth.agent.kubeapi.Informer;
import io.berth.agent.kubeapi.KubeApiClient;
import io.berth.agent.kubeapi.KubeconfigLoader;
import io.berth.agent.kubeapi.RateLimiter;
import io.berth.agent.kubeapi.ResourcePath;
import io.berth.agent.kubeapi.RetryBackoff;
import io.berth.agent.status.StatusManager;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status manager against the test API server under a conflict storm: 409s and 500s on status
 * patches, stalls, pods deleted while their status is being sent and recreated under the same name.
 * Every status change reaches its pod exactly as berth computed it, a recreated pod never gets its
 * predecessor's status, nothing is sent twice and an idle pass sends nothing.
 */
class StatusStormIT {
  private static final String NODE = "storm-node";
  private static final int PODS = 20;
  private final ObjectMapper json = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void statusesSurviveConflictsDeletionsAndRecreationWithoutLossOrDuplicates() throws Exception {
    try (TestApiServer api = TestApiServer.start()) {
      KubeApiClient client =
          KubeApiClient.create(
              new KubeconfigLoader()
                  .load(api.writeKubeconfig(dir.resolve("kubeconfig")), Optional.empty()),
              Clock.systemUTC(),
              "berth/storm");
      for (int i = 0; i < PODS; i++) {
        api.store().create(ApiResources.PODS, "default", pod("p" + i));
      }
      Informer<Pod> informer =
          new Informer<>(
              client,
              Pod.class,
              new Informer.Options(
                  ResourcePath.PODS, null, "spec.nodeName=" + NODE, Duration.ofMinutes(5)),
              e -> {},
              RetryBackoff.reflectorDefaults(Clock.systemUTC()),
              RateLimiter.Sleeper.THREAD);
      informer.start();
      assertThat(informer.awaitSynced(Duration.ofSeconds(10))).isTrue();
      Map<String, Pod> local = new ConcurrentHashMap<>();
      for (Pod p : informer.list()) {
        local.put(p.getMetadata().getUid(), withStatus(p, 0));
      }
      StatusManager manager =
          new StatusManager(
              client,
              () -> List.copyOf(local.values()),
              uid -> Optional.ofNullable(local.get(uid)),
              informer::list,
              uid -> false);
      manager.start();
      try {
        await(() -> allMatch(api, local), "every initial status sent");
        assertThat(manager.patches()).isEqualTo(PODS);

        // the storm: 30 status patches answered 409, 10 with 500, slow answers, while every pod's
        // status changes and five pods are deleted (two come back under the same name)
        api.faults()
            .failNext(30, 409, r -> r.method().equals("PATCH") && r.path().endsWith("/status"));
        for (Pod p : List.copyOf(local.values())) {
          local.put(p.getMetadata().getUid(), withStatus(p, 1));
          manager.statusChanged(p.getMetadata().getUid());
        }
        List<String> deleted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          JsonNode gone = api.store().get(ApiResources.PODS, "default", "p" + i);
          deleted.add(gone.at("/metadata/uid").asText());
          api.store().delete(ApiResources.PODS, "default", "p" + i, null, null, null);
        }
        api.faults()
            .failNext(10, 500, r -> r.method().equals("PATCH") && r.path().endsWith("/status"));
        api.faults().stallNext(5, Duration.ofMillis(300));
        await(
            () -> deleted.stream().allMatch(uid -> !uids(api).contains(uid)),
            "the deleted pods finally deleted (grace 0) by the status manager");
        deleted.forEach(local::remove);
        api.store().create(ApiResources.PODS, "default", pod("p0"));
        api.store().create(ApiResources.PODS, "default", pod("p1"));
        await(() -> allMatch(api, local), "every changed status sent despite the storm");

        for (String name : List.of("p0", "p1")) {
          JsonNode again = api.store().get(ApiResources.PODS, "default", name);
          assertThat(deleted).doesNotContain(again.at("/metadata/uid").asText());
          assertThat(again.at("/status/containerStatuses").isMissingNode())
              .as(name + " recreated: no status of its predecessor")
              .isTrue();
        }
        long patches = manager.patches();
        assertThat(patches)
            .as(
                "each status change sent once: 20 initial + 15 survivors' changes (+ at most the"
                    + " 5 deleted pods' changes that landed before their deletion)")
            .isBetween((long) PODS + 15, (long) PODS + 20);
        System.out.printf(
            "status manager: %d patches, %d bytes each on average, %d passes%n",
            patches, manager.patchBytes() / patches, manager.passes());

        long requests = api.requests().count();
        manager.syncOnce();
        manager.syncOnce();
        assertThat(api.requests().count())
            .as("full passes over unchanged statuses send nothing")
            .isEqualTo(requests);
        assertThat(manager.patches()).isEqualTo(patches);
      } finally {
        manager.close();
        informer.close();
      }
    }
  }

  private static List<String> uids(TestApiServer api) {
    List<String> out = new ArrayList<>();
    api.store()
        .list(ApiResources.PODS, "default", p -> true, 0, null, null)
        .items()
        .forEach(p -> out.add(p.at("/metadata/uid").asText()));
    return out;
  }

  /** Every pod berth knows has, in the API server, the restart count berth computed. */
  private static boolean allMatch(TestApiServer api, Map<String, Pod> local) {
    Map<String, JsonNode> byUid = new java.util.HashMap<>();
    api.store()
        .list(ApiResources.PODS, "default", p -> true, 0, null, null)
        .items()
        .forEach(p -> byUid.put(p.at("/metadata/uid").asText(), p));
    for (Pod p : local.values()) {
      JsonNode remote = byUid.get(p.getMetadata().getUid());
      if (remote == null
          || !remote.at("/status/phase").asText().equals("Running")
          || remote.at("/status/containerStatuses/0/restartCount").asInt(-1)
              != p.getStatus().getContainerStatuses().get(0).getRestartCount()) {
        return false;
      }
    }
    return true;
  }

  private Pod withStatus(Pod p, int restarts) {
    return new PodBuilder(p)
        .editMetadata()
        .addToAnnotations(PodConfig.CONFIG_SOURCE_ANNOTATION, "api")
        .endMetadata()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP("10.1.0.9")
        .addNewContainerStatus()
        .withName("c")
        .withRestartCount(restarts)
        .withReady(true)
        .withNewState()
        .withNewRunning()
        .withStartedAt("2026-01-01T00:00:0" + restarts + "Z")
        .endRunning()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  private ObjectNode pod(String name) {
    ObjectNode pod = json.createObjectNode();
    pod.putObject("metadata").put("name", name);
    ObjectNode spec = pod.putObject("spec");
    spec.put("nodeName", NODE);
    spec.putArray("containers").addObject().put("name", "c").put("image", "busybox:1");
    return pod;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 60 s: " + what);
      }
      Thread.sleep(50);
    }
  }
}
