package io.berth.tests.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The test API server's semantics, checked over plain HTTP as a client sees them. */
class TestApiServerTest {
  private static final String PODS = "/api/v1/namespaces/default/pods";

  private TestApiServer server;
  private Http http;

  @BeforeEach
  void start() throws Exception {
    server = TestApiServer.builder().bookmarkInterval(Duration.ofMillis(200)).start();
    http = new Http(server.url());
  }

  @AfterEach
  void stop() {
    http.close();
    server.close();
  }

  private static String pod(String name, String node, String labels) {
    return """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{%s}},
         "spec":{"nodeName":"%s","containers":[{"name":"c","image":"busybox:1"}]}}"""
        .formatted(name, labels, node);
  }

  @Test
  void createAssignsIdentityAndRejectsDuplicatesAndMissingNamespaces() {
    Http.Response created = http.post(PODS, pod("a", "n1", ""));
    assertThat(created.code()).isEqualTo(201);
    JsonNode meta = created.body().path("metadata");
    assertThat(meta.path("uid").asText()).hasSize(36);
    assertThat(meta.path("creationTimestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(meta.path("resourceVersion").asLong()).isEqualTo(server.store().resourceVersion());
    assertThat(created.body().path("status").path("phase").asText()).isEqualTo("Pending");
    assertThat(created.body().path("status").path("qosClass").asText()).isEqualTo("BestEffort");

    Http.Response duplicate = http.post(PODS, pod("a", "n1", ""));
    assertThat(duplicate.code()).isEqualTo(409);
    assertThat(duplicate.body().path("kind").asText()).isEqualTo("Status");
    assertThat(duplicate.body().path("reason").asText()).isEqualTo("AlreadyExists");
    assertThat(duplicate.body().path("message").asText()).isEqualTo("pods \"a\" already exists");

    Http.Response missing = http.post("/api/v1/namespaces/nope/pods", pod("a", "n1", ""));
    assertThat(missing.code()).isEqualTo(404);
    assertThat(missing.body().path("message").asText()).isEqualTo("namespaces \"nope\" not found");

    Http.Response generated =
        http.post(PODS, pod("", "n1", "").replace("\"name\":\"\"", "\"generateName\":\"web-\""));
    assertThat(generated.body().path("metadata").path("name").asText()).matches("web-[a-z0-9]{5}");

    Http.Response notFound = http.get(PODS + "/zzz");
    assertThat(notFound.code()).isEqualTo(404);
    assertThat(notFound.body().path("reason").asText()).isEqualTo("NotFound");
    assertThat(notFound.body().path("details").path("kind").asText()).isEqualTo("pods");
  }

  @Test
  void updateWithStaleResourceVersionConflicts() {
    JsonNode pod = http.post(PODS, pod("a", "n1", "\"v\":\"1\"")).body();
    String stale = pod.toString();
    Http.Response first = http.put(PODS + "/a", stale.replace("\"v\":\"1\"", "\"v\":\"2\""));
    assertThat(first.code()).isEqualTo(200);
    assertThat(first.body().path("metadata").path("resourceVersion").asLong())
        .isGreaterThan(pod.path("metadata").path("resourceVersion").asLong());

    Http.Response second = http.put(PODS + "/a", stale.replace("\"v\":\"1\"", "\"v\":\"3\""));
    assertThat(second.code()).isEqualTo(409);
    assertThat(second.body().path("reason").asText()).isEqualTo("Conflict");
    assertThat(http.get(PODS + "/a").body().path("metadata").path("labels").path("v").asText())
        .isEqualTo("2");
  }

  @Test
  void statusSubresourceAndMainResourceIgnoreEachOthersFields() {
    http.post(PODS, pod("a", "n1", ""));
    Http.Response viaMain =
        http.patch(
            PODS + "/a",
            "application/merge-patch+json",
            "{\"metadata\":{\"labels\":{\"x\":\"1\"}},\"status\":{\"phase\":\"Running\"}}");
    assertThat(viaMain.body().path("metadata").path("labels").path("x").asText()).isEqualTo("1");
    assertThat(viaMain.body().path("status").path("phase").asText()).isEqualTo("Pending");

    Http.Response viaStatus =
        http.patch(
            PODS + "/a/status",
            "application/merge-patch+json",
            "{\"metadata\":{\"labels\":{\"y\":\"1\"}},\"status\":{\"phase\":\"Running\","
                + "\"podIP\":\"10.1.2.3\"}}");
    assertThat(viaStatus.code()).isEqualTo(200);
    assertThat(viaStatus.body().path("status").path("podIP").asText()).isEqualTo("10.1.2.3");
    assertThat(viaStatus.body().path("metadata").path("labels").has("y")).isFalse();

    Http.Response specChange =
        http.patch(
            PODS + "/a",
            "application/merge-patch+json",
            "{\"spec\":{\"restartPolicy\":\"Never\"}}");
    assertThat(specChange.code()).isEqualTo(422);
    assertThat(specChange.body().path("reason").asText()).isEqualTo("Invalid");
  }

  @Test
  void noOpUpdateKeepsTheResourceVersion() {
    JsonNode pod = http.post(PODS, pod("a", "n1", "\"k\":\"v\"")).body();
    Http.Response same =
        http.patch(
            PODS + "/a",
            "application/merge-patch+json",
            "{\"metadata\":{\"labels\":{\"k\":\"v\"}}}");
    assertThat(same.body().path("metadata").path("resourceVersion"))
        .isEqualTo(pod.path("metadata").path("resourceVersion"));
  }

  @Test
  void jsonPatchAndStrategicMergePatch() {
    http.post(
        PODS,
        """
        {"metadata":{"name":"p"},"spec":{"nodeName":"n","containers":[
          {"name":"a","image":"img:1","env":[{"name":"E","value":"1"}]},
          {"name":"b","image":"img:1"}]}}""");
    Http.Response strategic =
        http.patch(
            PODS + "/p",
            "application/strategic-merge-patch+json",
            "{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"img:2\"}]}}");
    JsonNode containers = strategic.body().path("spec").path("containers");
    assertThat(containers).hasSize(2);
    assertThat(containers.get(0).path("image").asText()).isEqualTo("img:1");
    assertThat(containers.get(0).path("env").get(0).path("value").asText()).isEqualTo("1");
    assertThat(containers.get(1).path("image").asText()).isEqualTo("img:2");

    Http.Response merge =
        http.patch(
            PODS + "/p",
            "application/merge-patch+json",
            "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"img:3\"}]}}");
    assertThat(merge.code())
        .as("merge patch replaces the list, dropping container b: invalid")
        .isEqualTo(422);

    Http.Response json =
        http.patch(
            PODS + "/p",
            "application/json-patch+json",
            "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"a/b\":\"1\"}},"
                + "{\"op\":\"replace\",\"path\":\"/spec/containers/1/image\",\"value\":\"img:4\"},"
                + "{\"op\":\"test\",\"path\":\"/metadata/labels/a~1b\",\"value\":\"1\"}]");
    assertThat(json.code()).isEqualTo(200);
    assertThat(json.body().path("spec").path("containers").get(1).path("image").asText())
        .isEqualTo("img:4");
    assertThat(json.body().path("metadata").path("labels").path("a/b").asText()).isEqualTo("1");

    Http.Response failedTest =
        http.patch(
            PODS + "/p",
            "application/json-patch+json",
            "[{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"q\"}]");
    assertThat(failedTest.code()).isEqualTo(422);

    Http.Response apply = http.patch(PODS + "/p", "application/apply-patch+yaml", "{}");
    assertThat(apply.code()).isEqualTo(415);
  }

  @Test
  void labelAndFieldSelectors() {
    http.post(PODS, pod("a", "n1", "\"app\":\"web\",\"tier\":\"front\""));
    http.post(PODS, pod("b", "n2", "\"app\":\"db\""));
    http.post(PODS, pod("c", "n1", ""));
    assertThat(names(PODS + "?labelSelector=app%3Dweb")).containsExactly("a");
    assertThat(names(PODS + "?labelSelector=app%3D%3Dweb")).containsExactly("a");
    assertThat(names(PODS + "?labelSelector=app!%3Dweb")).containsExactly("b", "c");
    assertThat(names(PODS + "?labelSelector=app%20in%20(web,db)")).containsExactly("a", "b");
    assertThat(names(PODS + "?labelSelector=app%20notin%20(web)")).containsExactly("b", "c");
    assertThat(names(PODS + "?labelSelector=app")).containsExactly("a", "b");
    assertThat(names(PODS + "?labelSelector=!app")).containsExactly("c");
    assertThat(names(PODS + "?labelSelector=app,tier%3Dfront")).containsExactly("a");
    assertThat(names("/api/v1/pods?fieldSelector=spec.nodeName%3Dn1")).containsExactly("a", "c");
    assertThat(names(PODS + "?fieldSelector=spec.nodeName!%3Dn1")).containsExactly("b");
    assertThat(names(PODS + "?fieldSelector=metadata.name%3Db")).containsExactly("b");
    assertThat(
            names(
                "/api/v1/pods?fieldSelector=metadata.namespace%3Ddefault,status.phase"
                    + "%3DPending"))
        .containsExactly("a", "b", "c");
    Http.Response bad = http.get(PODS + "?fieldSelector=spec.bogus%3Dx");
    assertThat(bad.code()).isEqualTo(400);
    assertThat(bad.body().path("message").asText()).contains("field label not supported");
  }

  @Test
  void podsOnANodeAreDeletedGracefullyUntilTheKubeletDeletesWithGraceZero() {
    http.post(PODS, pod("bound", "n1", ""));
    http.post(PODS, pod("unbound", "", "").replace("\"nodeName\":\"\",", ""));

    Http.Response marked = http.delete(PODS + "/bound");
    assertThat(marked.code()).isEqualTo(200);
    assertThat(marked.body().path("metadata").path("deletionGracePeriodSeconds").asLong())
        .isEqualTo(30);
    assertThat(marked.body().path("metadata").has("deletionTimestamp")).isTrue();
    assertThat(http.get(PODS + "/bound").code()).isEqualTo(200);

    Http.Response shorter = http.delete(PODS + "/bound?gracePeriodSeconds=5");
    assertThat(shorter.body().path("metadata").path("deletionGracePeriodSeconds").asLong())
        .isEqualTo(5);
    Http.Response longer = http.delete(PODS + "/bound?gracePeriodSeconds=60");
    assertThat(longer.body().path("metadata").path("deletionGracePeriodSeconds").asLong())
        .isEqualTo(5);

    assertThat(http.delete(PODS + "/bound?gracePeriodSeconds=0").code()).isEqualTo(200);
    assertThat(http.get(PODS + "/bound").code()).isEqualTo(404);

    assertThat(http.delete(PODS + "/unbound").code()).isEqualTo(200);
    assertThat(http.get(PODS + "/unbound").code()).as("unscheduled pods go at once").isEqualTo(404);
  }

  @Test
  void finalizersKeepAnObjectUntilTheLastIsRemoved() {
    String cms = "/api/v1/namespaces/default/configmaps";
    http.post(cms, "{\"metadata\":{\"name\":\"c\",\"finalizers\":[\"x/a\",\"x/b\"]}}");
    Http.Response marked = http.delete(cms + "/c");
    assertThat(marked.body().path("metadata").has("deletionTimestamp")).isTrue();
    http.patch(
        cms + "/c",
        "application/json-patch+json",
        "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers/0\"}]");
    assertThat(http.get(cms + "/c").code()).isEqualTo(200);
    http.patch(cms + "/c", "application/merge-patch+json", "{\"metadata\":{\"finalizers\":null}}");
    assertThat(http.get(cms + "/c").code()).isEqualTo(404);
  }

  @Test
  void watchReplaysFromAVersionAndFollowsSelectorTransitions() throws Exception {
    JsonNode a = http.post(PODS, pod("a", "n1", "\"app\":\"web\"")).body();
    long afterA = a.path("metadata").path("resourceVersion").asLong();
    http.post(PODS, pod("b", "n1", "\"app\":\"web\""));
    try (Http.Watch w =
        http.watch(PODS + "?watch=true&labelSelector=app%3Dweb&resourceVersion=" + afterA)) {
      JsonNode first = w.nextChange();
      assertThat(first.path("type").asText()).isEqualTo("ADDED");
      assertThat(first.path("object").path("metadata").path("name").asText()).isEqualTo("b");

      http.patch(
          PODS + "/a",
          "application/merge-patch+json",
          "{\"metadata\":{\"labels\":{\"app\":\"other\"}}}");
      JsonNode left = w.nextChange();
      assertThat(left.path("type").asText())
          .as("no longer matching reads as DELETED")
          .isEqualTo("DELETED");
      assertThat(left.path("object").path("metadata").path("name").asText()).isEqualTo("a");

      http.patch(
          PODS + "/a",
          "application/merge-patch+json",
          "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}");
      assertThat(w.nextChange().path("type").asText()).isEqualTo("ADDED");
      http.delete(PODS + "/b?gracePeriodSeconds=0");
      JsonNode deleted = w.nextChange();
      assertThat(deleted.path("type").asText()).isEqualTo("DELETED");
      assertThat(deleted.path("object").path("metadata").path("resourceVersion").asLong())
          .isEqualTo(server.store().resourceVersion());
    }
  }

  @Test
  void watchWithoutVersionStartsWithTheCurrentStateAndSendsBookmarks() throws Exception {
    http.post(PODS, pod("a", "n1", ""));
    http.post(PODS, pod("b", "n2", ""));
    try (Http.Watch w =
        http.watch(
            PODS + "?watch=1&allowWatchBookmarks=true" + "&fieldSelector=spec.nodeName%3Dn1")) {
      JsonNode first = w.next();
      assertThat(first.path("type").asText()).isEqualTo("ADDED");
      assertThat(first.path("object").path("metadata").path("name").asText()).isEqualTo("a");
      JsonNode bookmark = w.next();
      assertThat(bookmark.path("type").asText()).isEqualTo("BOOKMARK");
      assertThat(bookmark.path("object").path("kind").asText()).isEqualTo("Pod");
      assertThat(bookmark.path("object").path("metadata").path("resourceVersion").asLong())
          .isEqualTo(server.store().resourceVersion());
    }
  }

  @Test
  void compactedVersionsAreGoneForWatchesAndContinues() throws Exception {
    long before =
        http.post(PODS, pod("a", "n1", ""))
            .body()
            .path("metadata")
            .path("resourceVersion")
            .asLong();
    http.post(PODS, pod("b", "n1", ""));
    http.post(PODS, pod("c", "n1", ""));
    Http.Response page1 = http.get(PODS + "?limit=2");
    assertThat(page1.body().path("items")).hasSize(2);
    String token = page1.body().path("metadata").path("continue").asText();
    assertThat(page1.body().path("metadata").path("remainingItemCount").asLong()).isEqualTo(1);

    http.delete(PODS + "/c?gracePeriodSeconds=0");
    Http.Response page2 = http.get(PODS + "?limit=2&continue=" + token);
    assertThat(page2.body().path("items"))
        .as("a continued list is the snapshot of page 1")
        .extracting(i -> i.path("metadata").path("name").asText())
        .containsExactly("c");

    server.store().compact();
    Http.Response gone = http.get(PODS + "?limit=2&continue=" + token);
    assertThat(gone.code()).isEqualTo(410);
    assertThat(gone.body().path("reason").asText()).isEqualTo("Expired");

    try (Http.Watch w = http.watch(PODS + "?watch=true&resourceVersion=" + before)) {
      JsonNode error = w.next();
      assertThat(error.path("type").asText()).isEqualTo("ERROR");
      assertThat(error.path("object").path("code").asInt()).isEqualTo(410);
      assertThat(error.path("object").path("message").asText())
          .startsWith("too old resource version: " + before);
    }
  }

  @Test
  void servicesGetAClusterIpFromTheServiceCidr() {
    String svcs = "/api/v1/namespaces/default/services";
    JsonNode s =
        http.post(
                svcs,
                "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"ports\":"
                    + "[{\"port\":80}],\"selector\":{\"app\":\"web\"}}}")
            .body();
    String ip = s.path("spec").path("clusterIP").asText();
    assertThat(ip).startsWith("10.96.").isNotEqualTo("10.96.0.1");
    assertThat(s.path("spec").path("ports").get(0).path("targetPort").asInt()).isEqualTo(80);
    assertThat(s.path("spec").path("ports").get(0).path("protocol").asText()).isEqualTo("TCP");
    Http.Response taken =
        http.post(
            svcs,
            "{\"metadata\":{\"name\":\"other\"},\"spec\":{"
                + "\"clusterIP\":\""
                + ip
                + "\",\"ports\":[{\"port\":80}]}}");
    assertThat(taken.code()).isEqualTo(422);
    assertThat(taken.body().path("message").asText()).contains("already allocated");
  }

  @Test
  void injectedFailuresStallsAndCutStreams() throws Exception {
    server.faults().failNext(2, 429);
    assertThat(http.get(PODS).code()).isEqualTo(429);
    assertThat(http.get(PODS).body().path("reason").asText()).isEqualTo("TooManyRequests");
    assertThat(http.get(PODS).code()).isEqualTo(200);

    server.faults().failNext(1, 500, r -> r.method().equals("POST"));
    assertThat(http.get(PODS).code()).isEqualTo(200);
    assertThat(http.post(PODS, pod("a", "n1", "")).code()).isEqualTo(500);

    long start = System.nanoTime();
    server.faults().stallNext(1, Duration.ofMillis(300));
    assertThat(http.get(PODS).code()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(250));

    try (Http.Watch w =
        http.watch(PODS + "?watch=true&resourceVersion=" + server.store().resourceVersion())) {
      awaitOpenWatches(1);
      assertThat(server.faults().openWatches(ApiResources.PODS)).isEqualTo(1);
      assertThat(server.faults().openWatches(ApiResources.SECRETS)).isZero();
      server.faults().cutWatchesMidEvent();
      http.post(PODS, pod("b", "n1", ""));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!w.ended && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(w.ended).isTrue();
      assertThat(w.events).as("half an event is no event").isEmpty();
    }
  }

  @Test
  void stopAndRestartKeepThePortAndTheObjects() throws Exception {
    http.post(PODS, pod("a", "n1", ""));
    int port = server.port();
    server.stop();
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> http.get(PODS)))
        .isInstanceOf(java.io.UncheckedIOException.class);
    server.restart();
    assertThat(server.port()).isEqualTo(port);
    assertThat(names(PODS)).containsExactly("a");
  }

  private void awaitOpenWatches(int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (server.faults().openWatches() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(server.faults().openWatches()).isEqualTo(n);
  }

  private List<String> names(String path) {
    Http.Response r = http.get(path);
    assertThat(r.code()).as(r.body().toString()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    r.body().path("items").forEach(i -> out.add(i.path("metadata").path("name").asText()));
    return out;
  }
}
