package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.cri.ExecSyncResult;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * ConfigMaps and Secrets from the API server for pods from the API server, on real containerd:
 * volumes (configMap, secret, projected), {@code configMapKeyRef}, {@code envFrom} and optional
 * references as the container sees them; a ConfigMap update reaches the mounted file; a container
 * whose object is missing waits with the kubelet's reason and starts once the object is created;
 * berth watches an object only while a pod on the node refers to it.
 */
class ApiObjectsIT {
  private static final String NODE = "objects-node";
  private static final Duration RECONNECT_AFTER_OUTAGE = Duration.ofSeconds(40);

  @Test
  void configMapsAndSecretsFromTheApiReachVolumesAndEnv() throws Exception {
    try (TestApiServer api = TestApiServer.builder().tls(true).start()) {
      Path kubeconfig = api.writeKubeconfig(Files.createTempFile("berth-objects-", ".kubeconfig"));
      BerthOnContainerd berth = BerthOnContainerd.start(NODE, s -> s.withKubeconfig(kubeconfig));
      try {
        run(api, kubeconfig, berth);
      } finally {
        for (String m : BerthPods.tmpfsMountsUnder(berth.dir)) {
          new ProcessBuilder("umount", "-l", m).inheritIO().start().waitFor();
        }
        berth.close();
        Files.deleteIfExists(kubeconfig);
      }
    }
  }

  private void run(TestApiServer api, Path kubeconfig, BerthOnContainerd berth) throws Exception {
    Path dir = berth.dir;
    String image = berth.containerd.busyboxImage();
    // berth's own pod watch is open; no object is watched before a pod refers to it
    await(
        Duration.ofSeconds(30),
        () -> api.faults().openWatches(ApiResources.PODS) > 0 ? Optional.of(1) : null);
    assertThat(objectWatches(api)).isZero();

    apply(
        kubeconfig,
        dir,
        "objects",
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: app}
        data: {app.conf: port=80, greeting: hello}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: creds}
        data: {password: czNjcjN0}
        """);
    apply(
        kubeconfig,
        dir,
        "consumer",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: consumer}
        spec:
          nodeName: %s
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            command: [sh, -c, "exec sleep 3600"]
            env:
            - {name: GREETING, valueFrom: {configMapKeyRef: {name: app, key: greeting}}}
            - {name: MAYBE, valueFrom: {configMapKeyRef: {name: absent, key: k, optional: true}}}
            envFrom: [{prefix: S_, secretRef: {name: creds}}]
            volumeMounts:
            - {name: cfg, mountPath: /etc/cfg}
            - {name: sec, mountPath: /etc/sec}
            - {name: proj, mountPath: /etc/proj}
            - {name: opt, mountPath: /etc/opt}
          volumes:
          - {name: cfg, configMap: {name: app}}
          - {name: sec, secret: {secretName: creds}}
          - name: proj
            projected:
              sources:
              - configMap: {name: app, items: [{key: greeting, path: greet/text}]}
              - secret: {name: creds, items: [{key: password, path: pw, mode: 0400}]}
          - {name: opt, configMap: {name: absent-too, optional: true}}
        """
            .formatted(NODE, image));
    String id = containerId(api, "consumer", Duration.ofSeconds(60));

    assertThat(exec(berth, id, "cat", "/etc/cfg/app.conf")).isEqualTo("port=80");
    assertThat(exec(berth, id, "cat", "/etc/sec/password")).isEqualTo("s3cr3t");
    assertThat(exec(berth, id, "stat", "-L", "-c", "%a", "/etc/sec/password"))
        .as("the API server's defaultMode 0644 for a secret volume")
        .isEqualTo("644");
    assertThat(exec(berth, id, "cat", "/etc/proj/greet/text")).isEqualTo("hello");
    assertThat(exec(berth, id, "stat", "-L", "-c", "%a", "/etc/proj/pw")).isEqualTo("400");
    assertThat(exec(berth, id, "ls", "/etc/opt")).as("optional, absent: no files").isEmpty();
    String env = exec(berth, id, "env");
    assertThat(env.lines().toList()).contains("GREETING=hello", "S_password=s3cr3t");
    assertThat(env).doesNotContain("MAYBE=");

    // a ConfigMap update reaches the mounted file (the ..data swap); env stays as it started
    long updated = System.nanoTime();
    kubectl(
        kubeconfig,
        "patch",
        "configmap",
        "app",
        "--type=merge",
        "-p",
        "{\"data\":{\"app.conf\":\"port=81\",\"greeting\":\"bonjour\"}}");
    await(
        Duration.ofSeconds(30),
        () ->
            exec(berth, id, "cat", "/etc/cfg/app.conf").equals("port=81") ? Optional.of(1) : null);
    long propagationMs = (System.nanoTime() - updated) / 1_000_000;
    System.out.println(
        "ConfigMap update reached the mounted volume after " + propagationMs + " ms");
    assertThat(propagationMs)
        .as("woken by the watch, not by the kubelet's 60-90 s resync")
        .isLessThan(15_000);
    assertThat(exec(berth, id, "cat", "/etc/proj/greet/text")).isEqualTo("bonjour");
    assertThat(exec(berth, id, "env").lines().toList()).contains("GREETING=hello");

    // missing objects: env → CreateContainerConfigError, volume → ContainerCreating (FailedMount)
    apply(
        kubeconfig,
        dir,
        "envwaiter",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: envwaiter}
        spec:
          nodeName: %s
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            command: [sh, -c, "exec sleep 3600"]
            env: [{name: LATE, valueFrom: {secretKeyRef: {name: late-secret, key: token}}}]
        """
            .formatted(NODE, image));
    apply(
        kubeconfig,
        dir,
        "mountwaiter",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: mountwaiter}
        spec:
          nodeName: %s
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            command: [sh, -c, "exec sleep 3600"]
            volumeMounts: [{name: late, mountPath: /etc/late}]
          volumes: [{name: late, configMap: {name: late-cm}}]
        """
            .formatted(NODE, image));
    JsonNode envWaiting =
        await(
            Duration.ofSeconds(40), () -> waiting(api, "envwaiter", "CreateContainerConfigError"));
    assertThat(envWaiting.path("message").asText()).isEqualTo("secret \"late-secret\" not found");
    assertThat(kubectl(kubeconfig, "get", "pod", "envwaiter"))
        .containsPattern("envwaiter\\s+0/1\\s+CreateContainerConfigError");
    JsonNode mountWaiting =
        await(Duration.ofSeconds(40), () -> waiting(api, "mountwaiter", "ContainerCreating"));
    assertThat(mountWaiting.path("message").asText())
        .contains("configmap \"default/late-cm\" not found");

    apply(
        kubeconfig,
        dir,
        "late",
        """
        apiVersion: v1
        kind: Secret
        metadata: {name: late-secret}
        data: {token: dDBr}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: late-cm}
        data: {file: arrived}
        """);
    String envId = containerId(api, "envwaiter", Duration.ofSeconds(40));
    String mountId = containerId(api, "mountwaiter", Duration.ofSeconds(40));
    assertThat(exec(berth, envId, "env").lines().toList()).contains("LATE=t0k");
    assertThat(exec(berth, mountId, "cat", "/etc/late/file")).isEqualTo("arrived");
    assertThat(restarts(api, "consumer")).as("the consumer was never restarted").isZero();

    // an API server outage longer than a pod resync (10 s): volumes keep the last known data
    api.stop();
    Thread.sleep(12_000);
    assertThat(exec(berth, id, "cat", "/etc/cfg/app.conf")).isEqualTo("port=81");
    assertThat(exec(berth, id, "cat", "/etc/sec/password")).isEqualTo("s3cr3t");
    assertThat(exec(berth, mountId, "cat", "/etc/late/file")).isEqualTo("arrived");
    api.restart();

    // one watch per referenced object: app, creds, absent, absent-too, late-secret, late-cm.
    // Each watch comes back on its own reflector back-off (client-go's: 800 ms doubling, up to
    // 100 % jitter). After a 12 s outage a loop's next attempt can be as late as 0.8+1.6+3.2+6.4 =
    // 12 s into the outage plus a 12.8 s delay doubled by jitter, so about 26 s after the restart.
    await(
        RECONNECT_AFTER_OUTAGE,
        () -> objectWatches(api) == 6 ? Optional.of(1) : null,
        () -> "open ConfigMap and Secret watches: " + objectWatches(api) + ", expected 6");
    assertThat(api.requests().entries())
        .anySatisfy(
            e ->
                assertThat(e.uri())
                    .contains("/api/v1/namespaces/default/configmaps?")
                    .contains("fieldSelector=metadata.name%3Dapp")
                    .contains("watch=true"));
    kubectl(kubeconfig, "delete", "pod", "consumer", "envwaiter", "mountwaiter", "--timeout=60s");
    await(
        Duration.ofSeconds(20),
        () -> objectWatches(api) == 0 ? Optional.of(1) : null,
        () -> "open ConfigMap and Secret watches: " + objectWatches(api) + ", expected 0");
  }

  private static int objectWatches(TestApiServer api) {
    return api.faults().openWatches(ApiResources.CONFIGMAPS)
        + api.faults().openWatches(ApiResources.SECRETS);
  }

  private static String containerId(TestApiServer api, String pod, Duration timeout)
      throws Exception {
    JsonNode status =
        await(
            timeout,
            () -> {
              JsonNode p = api.store().get(ApiResources.PODS, "default", pod);
              JsonNode c = p == null ? null : p.at("/status/containerStatuses/0");
              return c != null && c.at("/state/running").isObject()
                  ? Optional.of(c)
                  : Optional.empty();
            });
    return status.path("containerID").asText().replace("containerd://", "");
  }

  private static Optional<JsonNode> waiting(TestApiServer api, String pod, String reason) {
    JsonNode p = api.store().get(ApiResources.PODS, "default", pod);
    JsonNode w = p == null ? null : p.at("/status/containerStatuses/0/state/waiting");
    return w != null && reason.equals(w.path("reason").asText())
        ? Optional.of(w)
        : Optional.empty();
  }

  private static int restarts(TestApiServer api, String pod) {
    return api.store()
        .get(ApiResources.PODS, "default", pod)
        .at("/status/containerStatuses/0/restartCount")
        .asInt();
  }

  private static String exec(BerthOnContainerd berth, String id, String... cmd) {
    ExecSyncResult r = berth.cri.runtime().execSync(id, List.of(cmd), Duration.ofSeconds(10));
    assertThat(r.exitCode())
        .as(String.join(" ", cmd) + ": " + new String(r.stderr(), StandardCharsets.UTF_8))
        .isZero();
    return new String(r.stdout(), StandardCharsets.UTF_8).strip();
  }

  private static void apply(Path kubeconfig, Path dir, String name, String yaml) throws Exception {
    kubectl(
        kubeconfig,
        "create",
        "-f",
        Files.writeString(dir.resolve(name + ".yaml"), yaml).toString());
  }

  private static String kubectl(Path kubeconfig, String... args) {
    return ApiAgents.kubectl(kubeconfig, args);
  }

  private static <T> T await(Duration timeout, Callable<Optional<T>> probe) throws Exception {
    return await(timeout, probe, () -> "");
  }

  private static <T> T await(
      Duration timeout, Callable<Optional<T>> probe, Supplier<String> observed) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<T> last = Optional.empty();
    while (System.nanoTime() < deadline) {
      Optional<T> r = probe.call();
      last = r == null ? Optional.empty() : r;
      if (last.isPresent()) {
        return last.get();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("not within " + timeout + " " + observed.get());
  }
}
