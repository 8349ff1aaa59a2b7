package io.berth.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManifestDecoderTest {
  private final ManifestDecoder decoder = new ManifestDecoder();

  private ManifestDecoder.Result decode(String text, boolean allowList) {
    return decoder.decode(text.getBytes(StandardCharsets.UTF_8), allowList);
  }

  private String failure(String text) {
    ManifestDecoder.Result r = decode(text, false);
    assertThat(r).isInstanceOf(ManifestDecoder.Result.Failed.class);
    return ((ManifestDecoder.Result.Failed) r).reason();
  }

  private Pod single(String text) {
    ManifestDecoder.Result r = decode(text, false);
    assertThat(r).as(r.toString()).isInstanceOf(ManifestDecoder.Result.Decoded.class);
    return ((ManifestDecoder.Result.Decoded) r).pods().get(0);
  }

  @Test
  void yamlAndJsonPods() {
    assertThat(single(Manifests.validPod()).getMetadata().getName()).isEqualTo("web");
    Pod p =
        single(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"j\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}");
    assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("i");
  }

  @Test
  void aCopyIsEqualAndIndependentOfTheOriginal() {
    Pod original =
        single(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"j\","
                + "\"labels\":{\"app\":\"web\"},\"x-unknown\":1},\"spec\":{\"containers\":"
                + "[{\"name\":\"c\",\"image\":\"i\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}],"
                + "\"resources\":{\"limits\":{\"memory\":\"64Mi\"}}}]}}");
    Pod copy = decoder.copy(original);
    assertThat(copy).isEqualTo(original).isNotSameAs(original);
    assertThat(decoder.canonicalJson(copy)).isEqualTo(decoder.canonicalJson(original));

    copy.getMetadata().getLabels().put("app", "changed");
    copy.getSpec().getContainers().get(0).getEnv().get(0).setValue("2");
    copy.getSpec().getContainers().add(copy.getSpec().getContainers().get(0));
    assertThat(original.getMetadata().getLabels()).containsEntry("app", "web");
    assertThat(original.getSpec().getContainers()).hasSize(1);
    assertThat(original.getSpec().getContainers().get(0).getEnv().get(0).getValue()).isEqualTo("1");
    assertThat(original.getMetadata().getAdditionalProperties()).containsEntry("x-unknown", 1);
  }

  @Test
  void podListOnlyWhereAllowed() {
    String list = Manifests.resource("pod-list.json");
    assertThat(failure(list)).isEqualTo("a manifest file must hold a single Pod, not a PodList");
    ManifestDecoder.Result r = decode(list, true);
    assertThat(((ManifestDecoder.Result.Decoded) r).pods()).hasSize(2);
  }

  @Test
  void duplicateKeysAreRefused() {
    assertThat(failure("apiVersion: v1\nkind: Pod\nkind: Pod\n"))
        .contains("Duplicate field 'kind'");
    assertThat(failure("{\"apiVersion\":\"v1\",\"apiVersion\":\"v1\"}"))
        .startsWith("invalid JSON: ")
        .contains("Duplicate field");
  }

  @Test
  void wrongTypesAreRefusedWithThePath() {
    String reason =
        failure(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports:\n    - containerPort: \"80\"\n");
    assertThat(reason).startsWith("cannot decode Pod: spec.containers[0].ports[0].containerPort: ");
    assertThat(failure("apiVersion: v1\nkind: Pod\nspec: [1, 2]\n"))
        .startsWith("cannot decode Pod: spec: ");
    assertThat(failure("apiVersion: v1\nkind: Pod\nspec:\n  terminationGracePeriodSeconds: 1.5\n"))
        .contains("terminationGracePeriodSeconds");
  }

  @Test
  void hugeNumbersAreRefused() {
    assertThat(
            failure(
                "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - ports:\n    - containerPort: 99999999999999999999\n"))
        .contains("containerPort");
    assertThat(
            failure(
                "apiVersion: v1\nkind: Pod\nspec:\n  activeDeadlineSeconds: 1"
                    + "0".repeat(200)
                    + "\n"))
        .startsWith("invalid YAML: ");
  }

  @Test
  void unknownFieldsAreAcceptedLikeTheKubelet() {
    Pod p =
        single(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: x, colour: blue}\nspec: {containers: [], bogus: 1}\n");
    assertThat(p.getMetadata().getName()).isEqualTo("x");
  }

  @Test
  void onlyOneDocument() {
    assertThat(failure(Manifests.validPod() + "---\n" + Manifests.validPod()))
        .isEqualTo("invalid YAML: more than one document; a manifest holds exactly one object");
    assertThat(single("---\n" + Manifests.validPod() + "---\n").getMetadata().getName())
        .isEqualTo("web");
  }

  @Test
  void kindAndVersionChecks() {
    assertThat(failure("apiVersion: v1\nmetadata: {name: x}\n"))
        .isEqualTo("Object 'Kind' is missing");
    assertThat(failure("kind: Pod\n")).isEqualTo("Object 'apiVersion' is missing");
    assertThat(failure("apiVersion: apps/v1\nkind: Deployment\n"))
        .isEqualTo("no kind \"Deployment\" is registered for version \"apps/v1\"");
    assertThat(failure("apiVersion: v1\nkind: Service\n"))
        .isEqualTo("kind \"Service\" is not a Pod");
    assertThat(failure("- a\n- b\n")).isEqualTo("manifest is not an object but ARRAY");
    assertThat(failure("  \n")).isEqualTo("manifest is empty");
  }

  @Test
  void badUtf8SizeAndNesting() {
    byte[] bad = {'k', 'i', 'n', 'd', ':', ' ', (byte) 0xC3, (byte) 0x28};
    assertThat(((ManifestDecoder.Result.Failed) decoder.decode(bad, false)).reason())
        .isEqualTo("manifest is not valid UTF-8: invalid byte sequence at offset 6");
    byte[] big = new byte[ManifestDecoder.MAX_MANIFEST_BYTES + 1];
    assertThat(((ManifestDecoder.Result.Failed) decoder.decode(big, false)).reason())
        .isEqualTo("manifest is larger than the limit of 10485760 bytes");
    assertThat(failure("apiVersion: v1\nkind: Pod\nx: " + "[".repeat(500) + "]".repeat(500) + "\n"))
        .startsWith("invalid YAML: ");
    assertThat(failure("{\"apiVersion\":\"v1\",\"x\":" + "[".repeat(500) + "]".repeat(500) + "}"))
        .startsWith("invalid JSON: ");
  }

  @Test
  void veryLongYamlLinesAreRefusedButJsonIsNot() {
    String value = "x".repeat(ManifestDecoder.MAX_YAML_LINE + 1);
    assertThat(failure("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nx: " + value + "\n"))
        .isEqualTo("YAML line 4 is longer than 1048576 characters; write such a manifest as JSON");
    assertThat(
            single("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"x\":\"" + value + "\"}")
                .getAdditionalProperties())
        .containsKey("x");
  }

  @Test
  void yamlAliasBombIsRefused() {
    StringBuilder s = new StringBuilder("apiVersion: v1\nkind: Pod\na0: &a0 [x, x]\n");
    for (int i = 1; i < 30; i++) {
      s.append("a")
          .append(i)
          .append(": &a")
          .append(i)
          .append(" [*a")
          .append(i - 1)
          .append(", *a")
          .append(i - 1)
          .append("]\n");
    }
    assertThat(failure(s.toString()))
        .isEqualTo("invalid YAML: YAML aliases are not supported (alias *a0 at line 4)");
    assertThat(
            failure(
                "apiVersion: v1\nkind: Pod\nx: &img nginx\nspec: {containers: [{name: c, image: *img}]}\n"))
        .startsWith("invalid YAML: YAML aliases are not supported (alias *img");
  }
}
