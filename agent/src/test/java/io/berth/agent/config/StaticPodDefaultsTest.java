package io.berth.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StaticPodDefaultsTest {
  /** A fresh reader each time, as after a restart of berth. */
  private static Pod read(String node, String manifest, ConfigSource source, String location) {
    ManifestDecoder decoder = new ManifestDecoder();
    ManifestReader reader = new ManifestReader(decoder, new StaticPodDefaults(node, decoder));
    ManifestReader.Result r =
        reader.read(manifest.getBytes(StandardCharsets.UTF_8), source, location);
    assertThat(r).as(r.toString()).isInstanceOf(ManifestReader.Result.Accepted.class);
    return ((ManifestReader.Result.Accepted) r).pods().get(0);
  }

  @Test
  void fnv128aMatchesTheReferenceVectors() {
    assertThat(new Fnv128a().hex()).isEqualTo("6c62272e07bb014262b821756295c58d");
    assertThat(new Fnv128a().write("a").hex()).isEqualTo("d228cb696f1a8caf78912b704e4a8964");
  }

  @Test
  void sameFileSameContentSameUidAcrossRestarts() {
    Pod a = read("Node1", Manifests.validPod(), ConfigSource.FILE, "/etc/berth/manifests/web.yaml");
    Pod b = read("Node1", Manifests.validPod(), ConfigSource.FILE, "/etc/berth/manifests/web.yaml");
    assertThat(a.getMetadata().getUid()).hasSize(32).isEqualTo(b.getMetadata().getUid());
    // Formatting and key order do not matter: the decoded pod is hashed, not the bytes.
    String reordered =
        Manifests.validPod()
            .replace("apiVersion: v1\nkind: Pod\n", "kind: Pod\napiVersion: v1 # comment\n");
    Pod c = read("Node1", reordered, ConfigSource.FILE, "/etc/berth/manifests/web.yaml");
    assertThat(c.getMetadata().getUid()).isEqualTo(a.getMetadata().getUid());
  }

  @Test
  void uidDependsOnContentPathNodeAndSource() {
    String path = "/m/web.yaml";
    String uid = read("n1", Manifests.validPod(), ConfigSource.FILE, path).getMetadata().getUid();
    assertThat(
            read(
                    "n1",
                    Manifests.validPod().replace("nginx:1.27", "nginx:1.28"),
                    ConfigSource.FILE,
                    path)
                .getMetadata()
                .getUid())
        .isNotEqualTo(uid);
    assertThat(
            read("n1", Manifests.validPod(), ConfigSource.FILE, "/m/other.yaml")
                .getMetadata()
                .getUid())
        .isNotEqualTo(uid);
    assertThat(read("n2", Manifests.validPod(), ConfigSource.FILE, path).getMetadata().getUid())
        .isNotEqualTo(uid);
    assertThat(read("n1", Manifests.validPod(), ConfigSource.HTTP, path).getMetadata().getUid())
        .isNotEqualTo(uid);
  }

  @Test
  void manifestUidIsKept() {
    String withUid =
        Manifests.validPod().replace("  name: web\n", "  name: web\n  uid: 1234-abcd\n");
    assertThat(read("n1", withUid, ConfigSource.FILE, "/m/web.yaml").getMetadata().getUid())
        .isEqualTo("1234-abcd");
  }

  @Test
  void nameNamespaceNodeAnnotationsTolerationsPhase() {
    Pod p = read("Worker-7", Manifests.validPod(), ConfigSource.FILE, "/m/web.yaml");
    assertThat(p.getMetadata().getName()).isEqualTo("web-worker-7");
    assertThat(p.getMetadata().getNamespace()).isEqualTo("default");
    assertThat(p.getSpec().getNodeName()).isEqualTo("Worker-7");
    assertThat(p.getMetadata().getAnnotations())
        .containsEntry(StaticPodDefaults.CONFIG_HASH_ANNOTATION, p.getMetadata().getUid());
    assertThat(p.getSpec().getTolerations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getOperator()).isEqualTo("Exists");
              assertThat(t.getEffect()).isEqualTo("NoExecute");
              assertThat(t.getKey()).isNull();
            });
    assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(p.getSpec().getRestartPolicy()).isEqualTo("Always");
    assertThat(p.getSpec().getContainers().get(0).getImagePullPolicy()).isEqualTo("IfNotPresent");
    Pod http = read("n1", Manifests.validPod(), ConfigSource.HTTP, "http://127.0.0.1/x");
    assertThat(http.getSpec().getTolerations()).isEmpty();
  }

  @Test
  void existingIdenticalTolerationIsNotDuplicated() {
    String m =
        Manifests.pod("t", "busybox")
            + "  tolerations:\n  - {operator: Exists, effect: NoExecute}\n";
    assertThat(read("n1", m, ConfigSource.FILE, "/m/t.yaml").getSpec().getTolerations()).hasSize(1);
  }

  @Test
  void nameIsRequiredBeforeDefaulting() {
    ManifestDecoder decoder = new ManifestDecoder();
    ManifestReader reader = new ManifestReader(decoder, new StaticPodDefaults("n", decoder));
    ManifestReader.Result r =
        reader.read(
            "apiVersion: v1\nkind: Pod\nspec: {containers: [{name: c, image: i}]}\n"
                .getBytes(StandardCharsets.UTF_8),
            ConfigSource.FILE,
            "/m/x.yaml");
    assertThat(r)
        .isEqualTo(new ManifestReader.Result.Rejected("invalid pod: name is needed for the pod"));
  }

  @Test
  void invalidPodIsRejectedWithTheApiMessage() {
    ManifestDecoder decoder = new ManifestDecoder();
    ManifestReader reader = new ManifestReader(decoder, new StaticPodDefaults("n", decoder));
    String m = Manifests.validPod().replace("containerPort: 80", "containerPort: 70000");
    ManifestReader.Result r =
        reader.read(m.getBytes(StandardCharsets.UTF_8), ConfigSource.FILE, "/m/x.yaml");
    assertThat(r)
        .isEqualTo(
            new ManifestReader.Result.Rejected(
                "invalid pod: [spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive]"));
  }

  @Test
  void resourceClaimsAndClusterTrustBundlesAreRefusedForStaticPods() {
    ManifestDecoder decoder = new ManifestDecoder();
    ManifestReader reader = new ManifestReader(decoder, new StaticPodDefaults("n", decoder));
    String claims =
        Manifests.pod("c", "busybox") + "  resourceClaims: [{name: gpu, resourceClaimName: gpu}]\n";
    assertThat(reader.read(claims.getBytes(StandardCharsets.UTF_8), ConfigSource.FILE, "/m/c.yaml"))
        .isEqualTo(new ManifestReader.Result.Rejected("static pods may not use ResourceClaims"));
    String ctb =
        Manifests.pod("t", "busybox")
            + "  volumes:\n  - name: v\n    projected:\n      sources:\n      - clusterTrustBundle: {name: b, path: ca.pem}\n";
    assertThat(reader.read(ctb.getBytes(StandardCharsets.UTF_8), ConfigSource.FILE, "/m/t.yaml"))
        .isEqualTo(
            new ManifestReader.Result.Rejected(
                "static pods may not use ClusterTrustBundle projected volume sources"));
  }
}
