package io.berth.agent.kuberuntime;

import static io.berth.agent.kuberuntime.TestPods.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvResolverTest {
  static final NodeContext NODE =
      new NodeContext(
          "node-a",
          List.of("192.168.1.10", "fd00::10"),
          Map.of("cpu", new Quantity("4"), "memory", new Quantity("8Gi")),
          8L << 30);

  final EnvResolver resolver = new EnvResolver(NODE, ConfigSource.NONE);

  static EnvVar value(String name, String value) {
    return new EnvVar(name, value, null);
  }

  static EnvVar field(String name, String path) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(path)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  static EnvVar resource(String name, String res, String divisor) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewResourceFieldRef()
        .withResource(res)
        .withDivisor(divisor == null ? null : new Quantity(divisor))
        .endResourceFieldRef()
        .endValueFrom()
        .build();
  }

  static Pod podWith(Container c) {
    return new PodBuilder(pod(List.of(c), List.of()))
        .editMetadata()
        .withLabels(Map.of("app", "web", "tier", "front"))
        .withAnnotations(Map.of("note", "say \"hi\""))
        .endMetadata()
        .editSpec()
        .withNodeName("node-a")
        .withServiceAccountName("sa")
        .endSpec()
        .build();
  }

  Map<String, String> resolve(Container c) {
    Pod pod = podWith(c);
    return resolver.resolve(
        pod, pod.getSpec().getContainers().get(0), List.of("10.0.0.2", "fd00::2"), Map.of());
  }

  @Test
  void valuesExpandAgainstEarlierVariablesOnly() {
    var c =
        new ContainerBuilder(container("c"))
            .withEnv(
                value("A", "x"),
                value("B", "$(A)-y"),
                value("C", "$(D)"),
                value("D", "z"),
                value("E", "$$(A)"),
                value("A", "again"))
            .build();
    assertThat(resolve(c))
        .containsExactly(
            Map.entry("A", "again"),
            Map.entry("B", "x-y"),
            Map.entry("C", "$(D)"),
            Map.entry("D", "z"),
            Map.entry("E", "$(A)"));
  }

  @Test
  void serviceVariablesAreVisibleAndDoNotOverride() {
    Container c =
        new ContainerBuilder(container("c"))
            .withEnv(value("URL", "http://$(WEB_SERVICE_HOST)"), value("WEB_SERVICE_PORT", "mine"))
            .build();
    Pod pod = podWith(c);
    var env =
        resolver.resolve(
            pod,
            pod.getSpec().getContainers().get(0),
            List.of(),
            Map.of("WEB_SERVICE_HOST", "10.96.0.5", "WEB_SERVICE_PORT", "80"));
    assertThat(env)
        .containsEntry("URL", "http://10.96.0.5")
        .containsEntry("WEB_SERVICE_PORT", "mine")
        .containsEntry("WEB_SERVICE_HOST", "10.96.0.5");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "metadata.name|foo",
        "metadata.namespace|new",
        "metadata.uid|" + UID,
        "metadata.labels['app']|web",
        "metadata.labels['missing']|''",
        "metadata.annotations['note']|say \"hi\"",
        "spec.nodeName|node-a",
        "spec.serviceAccountName|sa",
        "status.podIP|10.0.0.2",
        "status.podIPs|10.0.0.2,fd00::2",
        "status.hostIP|192.168.1.10",
        "status.hostIPs|192.168.1.10,fd00::10"
      })
  void fieldRefs(String path, String want) {
    var c = new ContainerBuilder(container("c")).withEnv(field("V", path)).build();
    assertThat(resolve(c)).containsEntry("V", want);
  }

  @Test
  void wholeLabelMapIsFormattedLikeTheDownwardApi() {
    var c =
        new ContainerBuilder(container("c"))
            .withEnv(field("L", "metadata.labels"), field("A", "metadata.annotations"))
            .build();
    assertThat(resolve(c))
        .containsEntry("L", "app=\"web\"\ntier=\"front\"")
        .containsEntry("A", "note=\"say \\\"hi\\\"\"");
  }

  @Test
  void unsupportedFieldPathIsAConfigError() {
    var c = new ContainerBuilder(container("c")).withEnv(field("V", "spec.hostname")).build();
    assertThatThrownBy(() -> resolve(c))
        .isInstanceOf(ContainerConfigException.class)
        .hasMessage("unsupported fieldPath: spec.hostname");
  }

  @ParameterizedTest(name = "{0} / {1} → {2}")
  @CsvSource({
    "limits.cpu,,1",
    "limits.cpu,1m,250",
    "requests.cpu,1m,125",
    "requests.cpu,,1",
    "limits.memory,,134217728",
    "limits.memory,1Mi,128",
    "requests.memory,1Mi,64",
    "limits.memory,1Gi,1",
    "requests.memory,1M,68"
  })
  void resourceFieldRefsRoundUp(String res, String divisor, String want) {
    var c =
        new ContainerBuilder(resources("c", "125m", "64Mi", "250m", "128Mi"))
            .withEnv(resource("V", res, divisor))
            .build();
    assertThat(resolve(c)).containsEntry("V", want);
  }

  @Test
  void unsetLimitsDefaultToNodeAllocatable() {
    var c =
        new ContainerBuilder(container("c"))
            .withEnv(
                resource("CPU", "limits.cpu", null),
                resource("MEM", "limits.memory", "1Mi"),
                resource("REQ", "requests.cpu", "1m"))
            .build();
    assertThat(resolve(c))
        .containsEntry("CPU", "4")
        .containsEntry("MEM", "8192")
        .containsEntry("REQ", "0");
  }

  @Test
  void missingConfigMapIsACreateContainerConfigError() {
    var c =
        new ContainerBuilder(container("c"))
            .addNewEnv()
            .withName("X")
            .withNewValueFrom()
            .withNewConfigMapKeyRef()
            .withName("cfg")
            .withKey("k")
            .endConfigMapKeyRef()
            .endValueFrom()
            .endEnv()
            .build();
    assertThatThrownBy(() -> resolve(c))
        .isInstanceOfSatisfying(
            ContainerConfigException.class,
            e -> {
              assertThat(e.containerName()).isEqualTo("c");
              assertThat(e.reason()).isEqualTo("CreateContainerConfigError");
            })
        .hasMessage("configmap \"cfg\" not found");
  }

  @Test
  void optionalReferencesAreSkipped() {
    var c =
        new ContainerBuilder(container("c"))
            .addNewEnv()
            .withName("X")
            .withNewValueFrom()
            .withNewConfigMapKeyRef()
            .withName("cfg")
            .withKey("k")
            .withOptional(true)
            .endConfigMapKeyRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("S")
            .withNewValueFrom()
            .withNewSecretKeyRef()
            .withName("sec")
            .withKey("k")
            .withOptional(true)
            .endSecretKeyRef()
            .endValueFrom()
            .endEnv()
            .addNewEnvFrom()
            .withNewConfigMapRef()
            .withName("all")
            .withOptional(true)
            .endConfigMapRef()
            .endEnvFrom()
            .build();
    assertThat(resolve(c)).isEmpty();
  }

  @Test
  void envFromAndKeyRefsWithALookup() {
    ConfigSource source =
        new ConfigSource() {
          @Override
          public Optional<Map<String, String>> configMap(String ns, String name) {
            return name.equals("cfg") ? Optional.of(Map.of("b", "2", "a", "1")) : Optional.empty();
          }

          @Override
          public Optional<Map<String, String>> secret(String ns, String name) {
            return Optional.of(Map.of("password", "s3cret"));
          }
        };
    var c =
        new ContainerBuilder(container("c"))
            .addNewEnvFrom()
            .withPrefix("CFG_")
            .withNewConfigMapRef()
            .withName("cfg")
            .endConfigMapRef()
            .endEnvFrom()
            .addNewEnv()
            .withName("PW")
            .withNewValueFrom()
            .withNewSecretKeyRef()
            .withName("db")
            .withKey("password")
            .endSecretKeyRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("NOPE")
            .withNewValueFrom()
            .withNewConfigMapKeyRef()
            .withName("cfg")
            .withKey("zzz")
            .endConfigMapKeyRef()
            .endValueFrom()
            .endEnv()
            .build();
    Pod pod = podWith(c);
    var r = new EnvResolver(NODE, source);
    assertThatThrownBy(
            () -> r.resolve(pod, pod.getSpec().getContainers().get(0), List.of(), Map.of()))
        .hasMessage("couldn't find key zzz in ConfigMap new/cfg");
    pod.getSpec().getContainers().get(0).getEnv().remove(1);
    assertThat(r.resolve(pod, pod.getSpec().getContainers().get(0), List.of(), Map.of()))
        .containsExactly(
            Map.entry("CFG_a", "1"), Map.entry("CFG_b", "2"), Map.entry("PW", "s3cret"));
  }

  @Test
  void missingEnvFromConfigMapNamesIt() {
    var c =
        new ContainerBuilder(container("c"))
            .addNewEnvFrom()
            .withNewConfigMapRef()
            .withName("all")
            .endConfigMapRef()
            .endEnvFrom()
            .build();
    assertThatThrownBy(() -> resolve(c))
        .hasMessage("couldn't get configMap new/all: configmap \"all\" not found");
  }
}
