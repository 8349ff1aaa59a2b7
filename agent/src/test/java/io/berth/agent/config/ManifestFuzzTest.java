package io.berth.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.berth.agent.testing.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drops generated malformed and mutated manifests next to one valid pod: none may throw, each is
 * rejected with file and reason or accepted, and the valid pod is never removed or changed.
 */
class ManifestFuzzTest {
  private static final long SEED = 0xBE27_F022L;
  private static final int FILES = 1000;
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @TempDir Path dir;
  private final Random random = new Random(SEED);

  @Test
  void malformedManifestsNeverDisturbTheValidPod() throws Exception {
    System.out.println("ManifestFuzzTest seed: 0x" + Long.toHexString(SEED));
    FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
    ManifestDecoder decoder = new ManifestDecoder();
    PodConfig config = new PodConfig(clock, decoder);
    config.register(ConfigSource.FILE);
    FileSource source =
        new FileSource(
            dir,
            new ManifestReader(decoder, new StaticPodDefaults("node1", decoder)),
            config,
            clock);
    Files.writeString(dir.resolve("web.yaml"), Manifests.validPod());
    source.rescan();
    List<PodUpdate> first = Updates.drain(config);
    assertThat(Updates.describeAll(first)).containsExactly("ADD file [web-node1]");
    Pod web = first.get(0).pods().get(0);
    String webUid = web.getMetadata().getUid();

    int generated = 0;
    List<PodUpdate> stream = new ArrayList<>();
    Set<Path> written = new HashSet<>();
    int batch = 100;
    for (int start = 0; start < FILES; start += batch) {
      List<Path> names = new ArrayList<>();
      for (int i = start; i < start + batch; i++) {
        String ext = List.of(".yaml", ".yml", ".json").get(i % 3);
        Path file = dir.resolve("fuzz-%04d%s".formatted(i, ext));
        Files.write(file, generate(i));
        generated++;
        written.add(file);
        names.add(file.getFileName());
      }
      // Half the batches go through the watch-event path, half through the re-scan path.
      if ((start / batch) % 2 == 0) {
        source.filesChanged(names);
      } else {
        source.rescan();
      }
      stream.addAll(Updates.drain(config));
    }
    // Re-edit some files and delete others, then a final re-scan.
    List<Path> all = new ArrayList<>(written);
    all.sort(null);
    for (int i = 0; i < 100; i++) {
      Path f = all.get(random.nextInt(all.size()));
      if (random.nextBoolean()) {
        Files.write(f, generate(random.nextInt(FILES)));
        generated++;
      } else if (Files.deleteIfExists(f)) {
        written.remove(f);
      }
    }
    source.rescan();
    stream.addAll(Updates.drain(config));

    for (PodUpdate u : stream) {
      boolean touchesWeb = u.pods().stream().anyMatch(p -> p.getMetadata().getUid().equals(webUid));
      switch (u) {
        case PodUpdate.Add a -> assertThat(touchesWeb).as("web added twice").isFalse();
        case PodUpdate.Update x -> assertThat(touchesWeb).as("web updated").isFalse();
        case PodUpdate.Delete x -> assertThat(touchesWeb).as("web deleted").isFalse();
        case PodUpdate.Remove x -> assertThat(touchesWeb).as("web removed").isFalse();
        case PodUpdate.Reconcile x -> assertThat(touchesWeb).as("web reconciled").isFalse();
        case PodUpdate.Set x -> {}
      }
    }
    Pod now =
        config.mergedState().stream()
            .filter(p -> p.getMetadata().getUid().equals(webUid))
            .findFirst()
            .orElseThrow();
    assertThat(now.getSpec()).isEqualTo(web.getSpec());
    assertThat(now.getMetadata().getAnnotations()).isEqualTo(web.getMetadata().getAnnotations());

    Map<Path, String> accepted = source.podsByFile();
    Map<String, String> rejected = new java.util.HashMap<>();
    for (RejectedManifest r : config.rejectedManifests()) {
      assertThat(r.reason()).isNotBlank();
      rejected.put(r.location(), r.reason());
    }
    int acceptedCount = 0;
    for (Path f : written) {
      boolean isAccepted = accepted.containsKey(f);
      boolean isRejected = rejected.containsKey(f.toString());
      assertThat(isAccepted || isRejected).as("%s is neither accepted nor rejected", f).isTrue();
      acceptedCount += isAccepted && !isRejected ? 1 : 0;
    }
    System.out.printf(
        "ManifestFuzzTest: %d manifests generated, %d files left, %d accepted, %d rejected, %d updates%n",
        generated, written.size(), acceptedCount, rejected.size(), stream.size());
    assertThat(generated).isGreaterThanOrEqualTo(1000);
    assertThat(rejected.size()).isGreaterThan(FILES / 2);
  }

  private byte[] generate(int i) throws Exception {
    return switch (random.nextInt(12)) {
      case 0 -> randomBytes(random.nextInt(2000));
      case 1 -> truncated();
      case 2, 3, 4 -> serialize(mutatedTree(i));
      case 5 -> duplicateKeys();
      case 6 -> deepNesting();
      case 7 -> withBadUtf8();
      case 8 -> huge(i);
      case 9 ->
          (Manifests.validPod() + "---\n" + Manifests.pod("other" + i, "busybox"))
              .getBytes(StandardCharsets.UTF_8);
      case 10 -> yamlOddities();
      default -> serialize(renamed(i));
    };
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private byte[] truncated() {
    byte[] valid =
        (random.nextBoolean() ? Manifests.validPod() : asJson(Manifests.validPod()))
            .getBytes(StandardCharsets.UTF_8);
    return java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
  }

  private static String asJson(String yaml) {
    try {
      return JSON.writeValueAsString(YAML.readTree(yaml));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private ObjectNode validTree() throws Exception {
    return (ObjectNode) YAML.readTree(Manifests.validPod());
  }

  /** A valid pod under a fresh name: these should be accepted. */
  private ObjectNode renamed(int i) throws Exception {
    ObjectNode tree = validTree();
    ((ObjectNode) tree.get("metadata")).put("name", "fuzz-" + i);
    if (random.nextBoolean()) {
      ((ObjectNode) tree.get("metadata")).put("unknownField" + random.nextInt(5), random.nextInt());
    }
    return tree;
  }

  /** The valid pod with 1 to 3 random nodes replaced by random values, or unknown fields added. */
  private ObjectNode mutatedTree(int i) throws Exception {
    ObjectNode tree = random.nextBoolean() ? validTree() : renamed(i);
    for (int m = 0; m <= random.nextInt(3); m++) {
      List<JsonNode> containers = new ArrayList<>();
      collect(tree, containers);
      JsonNode target = containers.get(random.nextInt(containers.size()));
      if (target instanceof ObjectNode obj) {
        List<String> keys = new ArrayList<>();
        obj.fieldNames().forEachRemaining(keys::add);
        String key =
            keys.isEmpty() || random.nextInt(4) == 0
                ? "extra" + random.nextInt(10)
                : keys.get(random.nextInt(keys.size()));
        obj.set(key, randomValue());
      } else if (target instanceof ArrayNode arr && !arr.isEmpty()) {
        int idx = random.nextInt(arr.size());
        if (random.nextBoolean()) {
          arr.set(idx, randomValue());
        } else {
          arr.add(arr.get(idx).deepCopy());
        }
      }
    }
    return tree;
  }

  private static void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      Iterator<JsonNode> it = node.elements();
      while (it.hasNext()) {
        collect(it.next(), out);
      }
    }
  }

  private JsonNode randomValue() {
    return switch (random.nextInt(12)) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.numberNode(random.nextInt());
      case 2 -> NODES.numberNode(new java.math.BigInteger(200, random));
      case 3 -> NODES.numberNode(random.nextDouble() * 1e300);
      case 4 -> NODES.textNode("x".repeat(random.nextInt(300)));
      case 5 -> NODES.booleanNode(random.nextBoolean());
      case 6 -> NODES.arrayNode().add(1).add("two");
      case 7 -> NODES.objectNode().put("k", "v");
      case 8 -> NODES.numberNode(-random.nextInt(100));
      case 9 -> NODES.textNode("Bad_Name!");
      case 10 -> NODES.numberNode(70000);
      default -> NODES.textNode(new String(new char[] {(char) random.nextInt(0x3000)}));
    };
  }

  private byte[] serialize(JsonNode tree) throws Exception {
    return random.nextBoolean() ? JSON.writeValueAsBytes(tree) : YAML.writeValueAsBytes(tree);
  }

  private byte[] duplicateKeys() {
    String valid = Manifests.validPod();
    List<String> lines = new ArrayList<>(valid.lines().toList());
    int at = random.nextInt(lines.size());
    lines.add(at, lines.get(at));
    return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
  }

  private byte[] deepNesting() {
    int depth = 50 + random.nextInt(2000);
    String body =
        random.nextBoolean()
            ? "[".repeat(depth) + "]".repeat(depth)
            : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    return ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"deep\"},\"x\":"
            + body
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private byte[] withBadUtf8() {
    byte[] valid = Manifests.validPod().getBytes(StandardCharsets.UTF_8);
    byte[] bad = java.util.Arrays.copyOf(valid, valid.length + 2);
    int at = random.nextInt(valid.length);
    System.arraycopy(valid, at, bad, at + 2, valid.length - at);
    bad[at] = (byte) 0xC3;
    bad[at + 1] = (byte) 0x28;
    return bad;
  }

  private byte[] huge(int i) throws Exception {
    ObjectNode tree = renamed(i);
    switch (random.nextInt(3)) {
      case 0 ->
          ((ObjectNode) tree.get("metadata"))
              .withObjectProperty("annotations")
              .put("big", "x".repeat(300_000));
      case 1 -> {
        ArrayNode containers = (ArrayNode) tree.get("spec").get("containers");
        boolean unique = random.nextBoolean();
        for (int c = 0; c < 100; c++) {
          ObjectNode copy = containers.get(0).deepCopy();
          if (unique) {
            copy.put("name", "c" + c);
            copy.remove("ports");
          }
          containers.add(copy);
        }
      }
      default ->
          ((ObjectNode) tree.get("spec"))
              .put("terminationGracePeriodSeconds", new java.math.BigDecimal("1e40"));
    }
    return serialize(tree);
  }

  private byte[] yamlOddities() {
    List<String> odd =
        List.of(
            "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: tab\n",
            "apiVersion: v1\nkind: Pod\nmetadata: !!binary aGVsbG8=\n",
            "apiVersion: v1\nkind: Pod\nmetadata: !!python/object:os.system {name: x}\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: ~\n",
            ": : :\n",
            "apiVersion: v1\nkind: Pod\nmetadata: &m {name: x}\nother: *m\n",
            "%YAML 1.1\n---\napiVersion: v1\nkind: Pod\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: \"\\uD800\"}\n",
            "\uFEFF" + Manifests.pod("bom", "busybox"),
            "apiVersion: v1\nkind: Pod\nmetadata: {name: "
                + "a".repeat(300)
                + "}\nspec: {containers: [{name: c, image: i}]}\n");
    return odd.get(random.nextInt(odd.size())).getBytes(StandardCharsets.UTF_8);
  }
}
