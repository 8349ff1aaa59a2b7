package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.agent.node.NodeRegistration;
import io.berth.metrics.node.EvictionThreshold;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import io.fabric8.kubernetes.api.model.Taint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * berth registered with a NoExecute taint, on real containerd: a pod from the API that does not
 * tolerate it is refused at admission (Failed, reason TaintToleration, no sandbox), one that
 * tolerates it runs, as the kubelet's admission does.
 */
class ApiNodeAdmissionIT {
  private static final String NODE = "tainted-node";

  @Test
  void podsThatDoNotTolerateANoExecuteTaintAreRefused() throws Exception {
    Taint drain = new Taint();
    drain.setKey("example.com/drain");
    drain.setValue("soon");
    drain.setEffect("NoExecute");
    NodeRegistration registration =
        new NodeRegistration(
            List.of(drain), Map.of(), Map.of(), Map.of(), EvictionThreshold.kubeletDefaults());
    try (TestApiServer api = TestApiServer.builder().tls(true).start()) {
      Path kubeconfig = api.writeKubeconfig(Files.createTempFile("berth-taints-", ".kubeconfig"));
      try (BerthOnContainerd berth =
          BerthOnContainerd.start(
              NODE, s -> s.withKubeconfig(kubeconfig).withNodeRegistration(registration))) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (ApiAgents.node(api, NODE).isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        assertThat(ApiAgents.kubectl(kubeconfig, "describe", "node", NODE))
            .containsPattern("Taints:\\s+example.com/drain=soon:NoExecute");
        String pod =
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: %s}
            spec:
              nodeName: %s
              terminationGracePeriodSeconds: 1
              %s
              containers:
              - {name: main, image: %s, command: [sh, -c, "exec sleep 3600"]}
            """;
        String image = berth.containerd.busyboxImage();
        ApiAgents.kubectl(
            kubeconfig,
            "create",
            "-f",
            Files.writeString(
                    berth.dir.resolve("pods.yaml"),
                    pod.formatted("intolerant", NODE, "", image)
                        + "---\n"
                        + pod.formatted(
                            "tolerant",
                            NODE,
                            "tolerations: [{key: example.com/drain, operator: Exists, effect: NoExecute}]",
                            image))
                .toString());
        JsonNode refused = awaitPhase(api, "intolerant", "Failed");
        assertThat(refused.at("/status/reason").asText()).isEqualTo("TaintToleration");
        assertThat(refused.at("/status/message").asText())
            .isEqualTo(
                "Pod was rejected: Predicate TaintToleration failed: node(s) had untolerated taint"
                    + " {example.com/drain: soon}");
        awaitPhase(api, "tolerant", "Running");
        assertThat(berth.cri.runtime().listPodSandbox(io.berth.cri.PodSandboxFilter.all()))
            .as("the refused pod never got a sandbox")
            .extracting(s -> s.metadata().name())
            .containsExactly("tolerant");
      } finally {
        Files.deleteIfExists(kubeconfig);
      }
    }
  }

  private static JsonNode awaitPhase(TestApiServer api, String name, String phase)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode p = null;
    while (System.nanoTime() < deadline) {
      p = api.store().get(ApiResources.PODS, "default", name);
      if (p != null && p.at("/status/phase").asText().equals(phase)) {
        return p;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(name + " not " + phase + ": " + p);
  }
}
