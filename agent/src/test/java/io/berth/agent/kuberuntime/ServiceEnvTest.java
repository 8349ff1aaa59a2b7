package io.berth.agent.kuberuntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceEnvTest {
  static Service svc(String ns, String name, String ip, Object... portNameNumberProto) {
    ServiceBuilder b =
        new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata();
    var spec = b.withNewSpec().withClusterIP(ip);
    for (int i = 0; i < portNameNumberProto.length; i += 3) {
      spec.addNewPort()
          .withName((String) portNameNumberProto[i])
          .withPort((Integer) portNameNumberProto[i + 1])
          .withProtocol((String) portNameNumberProto[i + 2])
          .endPort();
    }
    return spec.endSpec().build();
  }

  static Pod pod(String ns, Boolean links) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName("p")
        .endMetadata()
        .withNewSpec()
        .withEnableServiceLinks(links)
        .endSpec()
        .build();
  }

  @Test
  void dockerLinkAndServiceVariablesAsTheKubeletWritesThem() {
    Map<String, String> env =
        ServiceEnv.forPod(
            pod("shop", null),
            List.of(svc("shop", "web-front", "10.96.0.10", "http", 80, "TCP", "dns", 53, "UDP")));

    assertThat(env)
        .containsExactly(
            Map.entry("WEB_FRONT_SERVICE_HOST", "10.96.0.10"),
            Map.entry("WEB_FRONT_SERVICE_PORT", "80"),
            Map.entry("WEB_FRONT_SERVICE_PORT_HTTP", "80"),
            Map.entry("WEB_FRONT_SERVICE_PORT_DNS", "53"),
            Map.entry("WEB_FRONT_PORT", "tcp://10.96.0.10:80"),
            Map.entry("WEB_FRONT_PORT_80_TCP", "tcp://10.96.0.10:80"),
            Map.entry("WEB_FRONT_PORT_80_TCP_PROTO", "tcp"),
            Map.entry("WEB_FRONT_PORT_80_TCP_PORT", "80"),
            Map.entry("WEB_FRONT_PORT_80_TCP_ADDR", "10.96.0.10"),
            Map.entry("WEB_FRONT_PORT_53_UDP", "udp://10.96.0.10:53"),
            Map.entry("WEB_FRONT_PORT_53_UDP_PROTO", "udp"),
            Map.entry("WEB_FRONT_PORT_53_UDP_PORT", "53"),
            Map.entry("WEB_FRONT_PORT_53_UDP_ADDR", "10.96.0.10"));
  }

  @Test
  void onlyThePodsNamespaceHeadlessSkippedMasterServiceAlwaysIn() {
    List<Service> all =
        List.of(
            svc("default", "kubernetes", "10.96.0.1", "https", 443, "TCP"),
            svc("other", "db", "10.96.0.20", "", 5432, "TCP"),
            svc("shop", "headless", "None", "", 80, "TCP"),
            svc("shop", "cache", "fd00::5", "", 6379, "TCP"));

    Map<String, String> env = ServiceEnv.forPod(pod("shop", null), all);
    assertThat(env).containsKeys("KUBERNETES_SERVICE_HOST", "CACHE_SERVICE_HOST");
    assertThat(env).doesNotContainKeys("DB_SERVICE_HOST", "HEADLESS_SERVICE_HOST");
    assertThat(env).containsEntry("CACHE_PORT", "tcp://[fd00::5]:6379");

    Map<String, String> noLinks = ServiceEnv.forPod(pod("shop", false), all);
    assertThat(noLinks.keySet()).allMatch(k -> k.startsWith("KUBERNETES_"));
    assertThat(noLinks).containsEntry("KUBERNETES_SERVICE_PORT_HTTPS", "443");
  }
}
