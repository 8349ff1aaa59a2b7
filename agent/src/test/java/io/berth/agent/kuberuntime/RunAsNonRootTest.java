package io.berth.agent.kuberuntime;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.cri.Image;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunAsNonRootTest {
  static Pod pod(String podSc, String containerSc) throws Exception {
    return new ObjectMapper(new YAMLFactory())
        .readValue(
            "metadata: {name: p, namespace: ns, uid: u}\nspec: {securityContext: "
                + podSc
                + ", containers: [{name: c, image: i, securityContext: "
                + containerSc
                + "}]}",
            Pod.class);
  }

  static Image image(Long uid, String user) {
    return new Image("sha256:x", List.of(), List.of(), 1, uid, user, null, false);
  }

  static void verify(Pod p, Image img) {
    RunAsNonRoot.verify(p, p.getSpec().getContainers().get(0), img);
  }

  @Test
  void withoutTheFlagAnythingGoes() throws Exception {
    assertThatCode(() -> verify(pod("{}", "{}"), image(0L, ""))).doesNotThrowAnyException();
    assertThatCode(() -> verify(pod("{runAsNonRoot: true}", "{runAsNonRoot: false}"), null))
        .as("the container's field wins")
        .doesNotThrowAnyException();
  }

  @Test
  void rootFromRunAsUserOrImageIsRefused() throws Exception {
    assertThatThrownBy(
            () -> verify(pod("{runAsNonRoot: true, runAsUser: 0}", "{}"), image(1000L, "")))
        .isInstanceOf(ContainerConfigException.class)
        .hasMessageContaining(
            "container's runAsUser breaks non-root policy (pod: \"p_ns(u)\", container: c)");
    assertThatThrownBy(() -> verify(pod("{}", "{runAsNonRoot: true}"), image(0L, "")))
        .hasMessageContaining("container has runAsNonRoot and image will run as root");
    assertThatThrownBy(() -> verify(pod("{}", "{runAsNonRoot: true}"), image(null, "")))
        .as("an image without a user runs as root")
        .hasMessageContaining("image will run as root");
    assertThatThrownBy(() -> verify(pod("{}", "{runAsNonRoot: true}"), image(null, "nginx")))
        .hasMessageContaining("image has non-numeric user (nginx), cannot verify user is non-root");
  }

  @Test
  void aNonZeroUidPasses() throws Exception {
    assertThatCode(() -> verify(pod("{runAsNonRoot: true}", "{runAsUser: 1000}"), image(0L, "")))
        .doesNotThrowAnyException();
    assertThatCode(() -> verify(pod("{runAsNonRoot: true}", "{}"), image(65534L, "")))
        .doesNotThrowAnyException();
  }
}
