package io.berth.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSourceTest {
  @TempDir Path dir;
  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
  private PodConfig config;
  private FileSource source;

  @BeforeEach
  void setUp() {
    start();
  }

  /** A new PodConfig and FileSource on the same directory, as after a restart of berth. */
  private void start() {
    ManifestDecoder decoder = new ManifestDecoder();
    config = new PodConfig(clock, decoder);
    config.register(ConfigSource.FILE);
    source =
        new FileSource(
            dir,
            new ManifestReader(decoder, new StaticPodDefaults("node1", decoder)),
            config,
            clock);
  }

  private void write(String name, String content) throws IOException {
    Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  private List<PodUpdate> rescan() throws InterruptedException {
    source.rescan();
    return Updates.drain(config);
  }

  private static String uid(PodUpdate u) {
    return u.pods().get(0).getMetadata().getUid();
  }

  @Test
  void addChangeRemove() throws Exception {
    assertThat(Updates.describeAll(rescan())).containsExactly("ADD file []");
    assertThat(config.allSourcesReady()).isTrue();
    write("web.yaml", Manifests.validPod());
    List<PodUpdate> added = rescan();
    assertThat(Updates.describeAll(added)).containsExactly("ADD file [web-node1]");
    assertThat(rescan()).as("an unchanged directory is quiet").isEmpty();

    write("web.yaml", Manifests.validPod().replace("nginx:1.27", "nginx:1.28"));
    List<PodUpdate> changed = rescan();
    assertThat(Updates.describeAll(changed))
        .as("new content is a new UID, as in the kubelet")
        .containsExactly("REMOVE file [web-node1]", "ADD file [web-node1]");
    assertThat(uid(changed.get(0))).isEqualTo(uid(added.get(0)));
    assertThat(uid(changed.get(1))).isNotEqualTo(uid(added.get(0)));

    Files.delete(dir.resolve("web.yaml"));
    assertThat(Updates.describeAll(rescan())).containsExactly("REMOVE file [web-node1]");
  }

  @Test
  void renameIsRemoveAndAdd() throws Exception {
    write("a.yaml", Manifests.validPod());
    String before = uid(rescan().get(0));
    Files.move(dir.resolve("a.yaml"), dir.resolve("b.yml"));
    List<PodUpdate> u = rescan();
    assertThat(Updates.describeAll(u))
        .containsExactly("REMOVE file [web-node1]", "ADD file [web-node1]");
    assertThat(uid(u.get(1))).isNotEqualTo(before);
  }

  @Test
  void badFileNextToGoodOnesIsRejectedWithFileAndReason() throws Exception {
    write("a.yaml", Manifests.pod("a", "busybox"));
    write("b.json", "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", ");
    write(
        "c.yaml",
        Manifests.pod("c", "busybox")
            .replace("image: busybox\n", "image: busybox\n    ports: [{containerPort: 70000}]\n"));
    write("d.yaml", Manifests.pod("d", "busybox"));
    assertThat(Updates.describeAll(rescan())).containsExactly("ADD file [a-node1, d-node1]");
    assertThat(config.rejectedManifests())
        .extracting(r -> Path.of(r.location()).getFileName().toString() + ": " + r.reason())
        .containsExactly(
            "b.json: invalid JSON: Unexpected end-of-input within/between Object entries (line 1, column 37)",
            "c.yaml: invalid pod: [spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive]");
    assertThat(config.rejectedManifests())
        .allSatisfy(r -> assertThat(r.time()).isEqualTo(clock.instant()));
  }

  @Test
  void badEditKeepsTheLastValidVersionUntilFixed() throws Exception {
    write("web.yaml", Manifests.validPod());
    String uid = uid(rescan().get(0));
    write("web.yaml", Manifests.validPod().replace("kind: Pod", "kind: Pod\nkind: Pod"));
    assertThat(rescan()).as("the running pod is not disturbed").isEmpty();
    assertThat(config.rejectedManifests())
        .singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("Duplicate field 'kind'"));
    assertThat(config.mergedState()).extracting(p -> p.getMetadata().getUid()).containsExactly(uid);
    write("web.yaml", Manifests.validPod());
    assertThat(rescan()).as("fixed back to the same content: same UID, nothing to do").isEmpty();
    assertThat(config.rejectedManifests()).isEmpty();
  }

  @Test
  void editorSwapAndBackupFilesAreIgnored() throws Exception {
    write("web.yaml", Manifests.validPod());
    for (String junk :
        List.of(
            ".web.yaml.swp",
            "web.yaml~",
            "4913",
            "#web.yaml#",
            "web.yaml.bak",
            ".hidden.yaml",
            "notes.txt")) {
      write(junk, "garbage {{{");
    }
    Files.createDirectory(dir.resolve("sub.yaml"));
    assertThat(Updates.describeAll(rescan())).containsExactly("ADD file [web-node1]");
    assertThat(config.rejectedManifests()).isEmpty();
  }

  @Test
  void editorSaveSeenAsOneBurstDoesNotRestartThePod() throws Exception {
    write("web.yaml", Manifests.validPod());
    rescan();
    // vim with 'backup': rename the file away, write the new one; the watch burst names both.
    Files.move(dir.resolve("web.yaml"), dir.resolve("web.yaml~"));
    write("web.yaml", Manifests.validPod());
    source.filesChanged(List.of(Path.of("web.yaml"), Path.of("web.yaml~")));
    assertThat(Updates.drain(config)).isEmpty();
  }

  @Test
  void sameUidsAfterRestart() throws Exception {
    write("a.yaml", Manifests.pod("a", "busybox"));
    write(
        "web.json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"j\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}");
    List<String> first =
        rescan().get(0).pods().stream().map(p -> p.getMetadata().getUid()).toList();
    start();
    List<String> second =
        rescan().get(0).pods().stream().map(p -> p.getMetadata().getUid()).toList();
    assertThat(second).hasSize(2).isEqualTo(first);
  }

  @Test
  void twoFilesWithTheSamePodTheIncumbentKeepsIt() throws Exception {
    write("m.yaml", Manifests.pod("web", "busybox:1"));
    String uid = uid(rescan().get(0));
    write("a.yaml", Manifests.pod("web", "busybox:2"));
    assertThat(rescan()).as("a.yaml sorts first but m.yaml's pod is running").isEmpty();
    assertThat(config.rejectedManifests())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.location()).endsWith("a.yaml");
              assertThat(r.reason())
                  .isEqualTo(
                      "duplicate pod name web-node1_default: already defined in "
                          + dir.resolve("m.yaml"));
            });
    Files.delete(dir.resolve("m.yaml"));
    List<PodUpdate> u = rescan();
    assertThat(Updates.describeAll(u))
        .containsExactly("REMOVE file [web-node1]", "ADD file [web-node1]");
    assertThat(uid(u.get(0))).isEqualTo(uid);
  }

  @Test
  void missingDirectoryIsAnEmptySeenSource() throws Exception {
    ManifestDecoder decoder = new ManifestDecoder();
    FileSource missing =
        new FileSource(
            dir.resolve("nope"),
            new ManifestReader(decoder, new StaticPodDefaults("n", decoder)),
            config,
            clock);
    missing.rescan();
    assertThat(Updates.describeAll(Updates.drain(config))).containsExactly("ADD file []");
    assertThat(config.allSourcesReady()).isTrue();
  }

  @Test
  void tooLargeFileIsRejected() throws Exception {
    byte[] big = new byte[ManifestDecoder.MAX_MANIFEST_BYTES + 10];
    java.util.Arrays.fill(big, (byte) ' ');
    Files.write(dir.resolve("big.yaml"), big);
    rescan();
    assertThat(config.rejectedManifests())
        .extracting(RejectedManifest::reason)
        .containsExactly("manifest is larger than the limit of 10485760 bytes");
  }

  @Test
  void watchServiceSeesChangesWithoutARescan() throws Exception {
    source.start(Duration.ofHours(1));
    try {
      assertThat(Updates.describe(config.poll(Duration.ofSeconds(10)))).isEqualTo("ADD file []");
      write("web.yaml", Manifests.validPod());
      PodUpdate u = config.poll(Duration.ofSeconds(20));
      assertThat(u).as("inotify event within 20 s").isNotNull();
      assertThat(Updates.describe(u)).isEqualTo("ADD file [web-node1]");
      Pod pod = u.pods().get(0);
      Files.delete(dir.resolve("web.yaml"));
      PodUpdate removed = config.poll(Duration.ofSeconds(20));
      assertThat(removed).isNotNull();
      assertThat(Updates.describe(removed)).isEqualTo("REMOVE file [web-node1]");
      assertThat(uid(removed)).isEqualTo(pod.getMetadata().getUid());
    } finally {
      source.close();
    }
  }
}
