package io.berth.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeStatusBuilderTest {
  private final ObjectMapper json = new ObjectMapper();
  private final NodeStatusBuilder builder =
      new NodeStatusBuilder(
          json,
          "n1",
          new NodeFacts(
              "mid",
              "bid",
              "6.1.0",
              "Debian GNU/Linux 12 (bookworm)",
              "amd64",
              List.of("10.0.0.5"),
              "n1"),
          "v1.32.0-berth-dev",
          10248);
  private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

  private NodeStatusBuilder.Observed observed(boolean ready) {
    return observed(ready, false);
  }

  private NodeStatusBuilder.Observed observed(boolean ready, boolean shuttingDown) {
    return new NodeStatusBuilder.Observed(
        2000,
        4L << 30,
        110,
        20L << 30,
        false,
        false,
        false,
        ready,
        ready ? "containerd://1.6.20" : "",
        shuttingDown);
  }

  private static JsonNode condition(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (c.path("type").asText().equals(type)) {
        return c;
      }
    }
    throw new AssertionError("no condition " + type);
  }

  @Test
  void registrationTaintsAndLabelsGoOnTheCreatedNode() {
    io.fabric8.kubernetes.api.model.Taint taint = new io.fabric8.kubernetes.api.model.Taint();
    taint.setKey("dedicated");
    taint.setValue("infra");
    taint.setEffect("NoSchedule");
    NodeStatusBuilder b =
        new NodeStatusBuilder(
            json,
            "n1",
            new NodeFacts("m", "b", "6.1.0", "Debian", "amd64", List.of("10.0.0.5"), "n1"),
            "v1.32.0-berth-dev",
            10248,
            new NodeRegistration(
                List.of(taint),
                java.util.Map.of(
                    "topology.kubernetes.io/zone", "z1", "kubernetes.io/hostname", "x"),
                java.util.Map.of("cpu", new io.fabric8.kubernetes.api.model.Quantity("250m")),
                java.util.Map.of(),
                List.of()));
    JsonNode node = b.node();
    assertThat(node.at("/spec/taints").toString())
        .isEqualTo("[{\"key\":\"dedicated\",\"value\":\"infra\",\"effect\":\"NoSchedule\"}]");
    assertThat(node.at("/metadata/labels/topology.kubernetes.io~1zone").asText()).isEqualTo("z1");
    assertThat(node.at("/metadata/labels/kubernetes.io~1hostname").asText())
        .as("the well-known labels win over extra ones")
        .isEqualTo("n1");
    JsonNode s = b.status(observed(true), null, t0);
    assertThat(s.at("/allocatable/cpu").asText()).isEqualTo("1750m");
    assertThat(s.at("/allocatable/memory").asText()).isEqualTo("4194304Ki");
    assertThat(builder.node().at("/spec").isEmpty()).as("no taints by default").isTrue();
  }

  @Test
  void capacityAddressesAndNodeInfoInTheApiSpelling() {
    JsonNode s = builder.status(observed(true), null, t0);
    assertThat(s.at("/capacity/cpu").asText()).isEqualTo("2");
    assertThat(s.at("/capacity/memory").asText()).isEqualTo("4194304Ki");
    assertThat(s.at("/capacity/pods").asText()).isEqualTo("110");
    assertThat(s.at("/allocatable/cpu").asText()).isEqualTo("2");
    assertThat(s.at("/allocatable/memory").asText())
        .as("capacity less the default memory.available<100Mi, as the kubelet")
        .isEqualTo((4194304 - 102400) + "Ki");
    assertThat(s.at("/allocatable/ephemeral-storage").asText())
        .as("capacity less the default nodefs.available<10%")
        .isEqualTo(Long.toString((20L << 30) - (2L << 30)));
    assertThat(s.at("/allocatable/pods").asText()).isEqualTo("110");
    assertThat(s.at("/addresses").toString())
        .isEqualTo(
            "[{\"type\":\"InternalIP\",\"address\":\"10.0.0.5\"},"
                + "{\"type\":\"Hostname\",\"address\":\"n1\"}]");
    assertThat(s.at("/nodeInfo/containerRuntimeVersion").asText()).isEqualTo("containerd://1.6.20");
    assertThat(s.at("/nodeInfo/kubeletVersion").asText()).isEqualTo("v1.32.0-berth-dev");
    assertThat(condition(s, "Ready").path("reason").asText()).isEqualTo("KubeletReady");
    assertThat(condition(s, "MemoryPressure").path("status").asText()).isEqualTo("False");
    assertThat(builder.node().at("/metadata/labels/kubernetes.io~1arch").asText())
        .isEqualTo("amd64");
  }

  @Test
  void transitionTimesMoveOnlyWhenAConditionChanges() {
    JsonNode notReady = builder.status(observed(false), null, t0);
    assertThat(condition(notReady, "Ready").path("status").asText()).isEqualTo("False");
    JsonNode ready = builder.status(observed(true), notReady, t0.plusSeconds(10));
    assertThat(condition(ready, "Ready").path("lastTransitionTime").asText())
        .isEqualTo("2026-01-01T00:00:10Z");
    assertThat(condition(ready, "DiskPressure").path("lastTransitionTime").asText())
        .isEqualTo("2026-01-01T00:00:00Z");
    JsonNode later = builder.status(observed(true), ready, t0.plusSeconds(20));
    assertThat(condition(later, "Ready").path("lastTransitionTime").asText())
        .isEqualTo("2026-01-01T00:00:10Z");
    assertThat(condition(later, "Ready").path("lastHeartbeatTime").asText())
        .isEqualTo("2026-01-01T00:00:20Z");
    assertThat(NodeStatusBuilder.withoutHeartbeats(later))
        .isEqualTo(NodeStatusBuilder.withoutHeartbeats(ready));
  }

  @Test
  void aNodeShuttingDownIsNotReadyWithTheKubeletsReasonAndMessage() {
    JsonNode ready = builder.status(observed(true), null, t0);
    JsonNode down = builder.status(observed(true, true), ready, t0.plusSeconds(3));
    JsonNode c = condition(down, "Ready");
    assertThat(c.path("status").asText()).isEqualTo("False");
    assertThat(c.path("reason").asText()).isEqualTo("KubeletNotReady");
    assertThat(c.path("message").asText()).isEqualTo("node is shutting down");
    assertThat(c.path("lastTransitionTime").asText()).isEqualTo("2026-01-01T00:00:03Z");
    // the other conditions are unaffected
    assertThat(condition(down, "MemoryPressure").path("status").asText()).isEqualTo("False");

    // with the runtime down as well, both errors, as Go's aggregate error prints them
    JsonNode both = builder.status(observed(false, true), down, t0.plusSeconds(4));
    assertThat(condition(both, "Ready").path("message").asText())
        .isEqualTo("[container runtime is down, node is shutting down]");
  }
}
