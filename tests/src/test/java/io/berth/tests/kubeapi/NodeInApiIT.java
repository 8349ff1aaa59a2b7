package io.berth.tests.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.agent.kubeapi.KubeApiClient;
import io.berth.agent.kubeapi.KubeconfigLoader;
import io.berth.agent.node.NodeFacts;
import io.berth.agent.node.NodeLease;
import io.berth.agent.node.NodeRegistration;
import io.berth.agent.node.NodeStatusBuilder;
import io.berth.agent.node.NodeStatusReporter;
import io.berth.agent.nodeconfig.ApiServerTuning;
import io.berth.metrics.node.EvictionThreshold;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import io.berth.tests.fixtures.Commands;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node registration, status reports and the lease against the test API server, under faults. */
class NodeInApiIT {
  private static final String NODE = "n1";
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };
  private final AtomicBoolean runtimeReady = new AtomicBoolean(false);
  private final AtomicBoolean shuttingDown = new AtomicBoolean(false);

  @TempDir Path dir;
  private TestApiServer api;
  private KubeApiClient client;

  @BeforeEach
  void start() throws Exception {
    api = TestApiServer.start();
    client =
        KubeApiClient.create(
            new KubeconfigLoader()
                .load(api.writeKubeconfig(dir.resolve("kubeconfig")), Optional.empty()),
            clock,
            "berth/t");
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private NodeStatusReporter reporter() {
    return reporter(NodeRegistration.defaults());
  }

  private NodeStatusReporter reporter(NodeRegistration registration) {
    return reporter(
        registration, NodeStatusReporter.UPDATE_FREQUENCY, NodeStatusReporter.REPORT_FREQUENCY);
  }

  private NodeStatusReporter reporter(
      NodeRegistration registration, Duration updateFrequency, Duration reportFrequency) {
    NodeStatusBuilder builder =
        new NodeStatusBuilder(
            json,
            NODE,
            new NodeFacts("m", "b", "6.1.0", "Debian", "amd64", List.of("10.0.0.9"), NODE),
            "v1.32.0-berth-t",
            10248,
            registration);
    return new NodeStatusReporter(
        client,
        NODE,
        builder,
        () ->
            new NodeStatusBuilder.Observed(
                2000,
                1L << 30,
                110,
                1L << 30,
                false,
                false,
                false,
                runtimeReady.get(),
                runtimeReady.get() ? "containerd://1.6.20" : "",
                shuttingDown.get()),
        clock,
        updateFrequency,
        reportFrequency);
  }

  private String ready() {
    for (var c : api.store().get(ApiResources.NODES, "", NODE).at("/status/conditions")) {
      if (c.path("type").asText().equals("Ready")) {
        return c.path("status").asText();
      }
    }
    return "";
  }

  @Test
  void registrationTaintsLabelsAndReservationsAndACordonBerthNeverUndoes() throws Exception {
    Taint infra = new Taint();
    infra.setKey("dedicated");
    infra.setValue("infra");
    infra.setEffect("NoSchedule");
    NodeRegistration registration =
        new NodeRegistration(
            List.of(infra),
            Map.of("topology.kubernetes.io/zone", "zone-a"),
            Map.of("cpu", new Quantity("500m"), "memory", new Quantity("256Mi")),
            Map.of(),
            EvictionThreshold.kubeletDefaults());
    runtimeReady.set(true);
    reporter(registration).syncOnce();
    Path kubeconfig = dir.resolve("kubeconfig");
    assertThat(kubectl(kubeconfig, "get", "node", NODE, "-o", "jsonpath={.spec.taints}"))
        .isEqualTo("[{\"effect\":\"NoSchedule\",\"key\":\"dedicated\",\"value\":\"infra\"}]");
    assertThat(
            kubectl(
                kubeconfig,
                "get",
                "node",
                NODE,
                "-o",
                "jsonpath={.metadata.labels.topology\\.kubernetes\\.io/zone}"))
        .isEqualTo("zone-a");
    var node = api.store().get(ApiResources.NODES, "", NODE);
    assertThat(node.at("/status/capacity/cpu").asText()).isEqualTo("2");
    assertThat(node.at("/status/allocatable/cpu").asText()).isEqualTo("1500m");
    assertThat(node.at("/status/allocatable/memory").asText())
        .as("1Gi less kubeReserved 256Mi and memory.available<100Mi")
        .isEqualTo(((1L << 20) - (256 << 10) - (100 << 10)) + "Ki");

    kubectl(kubeconfig, "cordon", NODE);
    kubectl(kubeconfig, "taint", "node", NODE, "maintenance=soon:NoExecute");
    runtimeReady.set(false); // a status change: reported at once
    now.set(now.get().plusSeconds(11));
    NodeStatusReporter restarted = reporter(registration); // berth restarts: adopts the Node
    restarted.syncOnce();
    now.set(now.get().plus(Duration.ofMinutes(6)));
    restarted.syncOnce();
    node = api.store().get(ApiResources.NODES, "", NODE);
    assertThat(ready()).isEqualTo("False");
    assertThat(node.at("/spec/unschedulable").asBoolean()).as("cordon kept").isTrue();
    assertThat(node.at("/spec/taints").findValuesAsText("key"))
        .as("taints added later are not removed, the registration taint not re-added twice")
        .containsExactly("dedicated", "maintenance");
    assertThat(kubectl(kubeconfig, "get", "node", NODE))
        .containsPattern(NODE + "\\s+NotReady,SchedulingDisabled");
  }

  private static String kubectl(Path kubeconfig, String... args) {
    List<String> command =
        new java.util.ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return Commands.run(command, Duration.ofSeconds(60)).stdout();
  }

  @Test
  void aNodeShutdownMakesTheNodeNotReadyAtOnceAsKubectlShows() throws Exception {
    runtimeReady.set(true);
    NodeStatusReporter reporter = reporter();
    reporter.syncOnce();
    assertThat(ready()).isEqualTo("True");

    // logind announced the shutdown 2 s after the last report: the shutdown manager asks for a
    // pass at once instead of the next 10 s one, as the kubelet's manager syncs the node status
    shuttingDown.set(true);
    now.set(now.get().plusSeconds(2));
    reporter.syncOnce();
    assertThat(ready()).as("without a nudge the 10 s period holds").isEqualTo("True");
    reporter.syncSoon();
    reporter.syncOnce();
    Path kubeconfig = dir.resolve("kubeconfig");
    assertThat(
            kubectl(
                kubeconfig,
                "get",
                "node",
                NODE,
                "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")]['status','reason','message']}"))
        .isEqualTo("False KubeletNotReady node is shutting down");

    // cancelled: Ready again on the next pass (every second while not Ready)
    shuttingDown.set(false);
    now.set(now.get().plusSeconds(1));
    reporter.syncOnce();
    assertThat(ready()).isEqualTo("True");
  }

  @Test
  void anExistingNodeIsAdoptedAndReportsFollowChangesAndTheReportPeriod() throws Exception {
    ObjectNode existing = json.createObjectNode();
    existing.putObject("metadata").put("name", NODE).putObject("labels").put("team", "a");
    api.store().create(ApiResources.NODES, "", existing);
    NodeStatusReporter reporter = reporter();
    reporter.syncOnce();
    var node = api.store().get(ApiResources.NODES, "", NODE);
    assertThat(node.at("/metadata/labels/team").asText()).isEqualTo("a");
    assertThat(node.at("/metadata/labels/kubernetes.io~1hostname").asText()).isEqualTo(NODE);
    assertThat(ready()).isEqualTo("False");

    runtimeReady.set(true);
    now.set(now.get().plusSeconds(1));
    reporter.syncOnce();
    assertThat(ready()).as("checked every second until Ready").isEqualTo("True");
    long version = api.store().resourceVersion();

    now.set(now.get().plusSeconds(10));
    reporter.syncOnce();
    assertThat(api.store().resourceVersion()).as("nothing changed: no report").isEqualTo(version);

    now.set(now.get().plus(Duration.ofMinutes(5)));
    reporter.syncOnce();
    assertThat(api.store().resourceVersion())
        .as("reported again after 5 min")
        .isGreaterThan(version);
  }

  @Test
  void theLeaseIsRenewedAndResumesAfterConflictsAndAnOutage() throws Exception {
    NodeStatusReporter reporter = reporter();
    reporter.syncOnce();
    NodeLease lease = new NodeLease(client, NODE, reporter::nodeUid, clock);
    lease.renewOnce();
    var created = api.store().get(ApiResources.LEASES, "kube-node-lease", NODE);
    assertThat(created.at("/spec/renewTime").asText()).isEqualTo("2026-01-01T00:00:00.000000Z");
    assertThat(created.at("/metadata/ownerReferences/0/uid").asText())
        .isEqualTo(reporter.nodeUid());

    now.set(now.get().plusSeconds(10));
    api.faults().failNext(1, 409, r -> r.method().equals("PUT"));
    lease.renewOnce();
    assertThat(lease.renewals()).as("the conflict is not a renewal").isEqualTo(1);
    lease.renewOnce();
    assertThat(
            api.store()
                .get(ApiResources.LEASES, "kube-node-lease", NODE)
                .at("/spec/renewTime")
                .asText())
        .isEqualTo("2026-01-01T00:00:10.000000Z");

    api.stop();
    now.set(now.get().plusSeconds(10));
    lease.renewOnce();
    api.restart();
    now.set(now.get().plusSeconds(10));
    lease.renewOnce();
    assertThat(
            api.store()
                .get(ApiResources.LEASES, "kube-node-lease", NODE)
                .at("/spec/renewTime")
                .asText())
        .isEqualTo("2026-01-01T00:00:30.000000Z");
    assertThat(lease.renewals()).isEqualTo(3);
  }

  @Test
  void configuredStatusFrequenciesAndLeaseDurationAreWhatTheApiServerSees() throws Exception {
    ApiServerTuning tuning =
        new ApiServerTuning(Duration.ofSeconds(30), Duration.ofMinutes(2), 20, 50, 100);
    runtimeReady.set(true);
    NodeStatusReporter reporter =
        reporter(
            NodeRegistration.defaults(),
            tuning.nodeStatusUpdateFrequency(),
            tuning.nodeStatusReportFrequency());
    reporter.syncOnce();
    assertThat(ready()).isEqualTo("True");
    long version = api.store().resourceVersion();
    long requests = client.requestCount();

    now.set(now.get().plusSeconds(10));
    reporter.syncOnce();
    assertThat(client.requestCount())
        .as("10 s is within the 30 s update frequency: the status is not even read")
        .isEqualTo(requests);

    now.set(now.get().plusSeconds(20));
    reporter.syncOnce();
    assertThat(client.requestCount()).as("computed after 30 s").isGreaterThan(requests);
    assertThat(api.store().resourceVersion()).as("unchanged: not reported").isEqualTo(version);

    now.set(now.get().plusSeconds(90));
    reporter.syncOnce();
    assertThat(api.store().resourceVersion())
        .as("reported again after the 2 min report frequency")
        .isGreaterThan(version);

    NodeLease lease =
        new NodeLease(
            client,
            NODE,
            reporter::nodeUid,
            clock,
            tuning.nodeLeaseDurationSeconds(),
            tuning.leaseRenewInterval());
    lease.renewOnce();
    assertThat(
            api.store()
                .get(ApiResources.LEASES, "kube-node-lease", NODE)
                .at("/spec/leaseDurationSeconds")
                .asInt())
        .isEqualTo(20);
    assertThat(tuning.leaseRenewInterval())
        .as("a quarter of the duration")
        .isEqualTo(Duration.ofSeconds(5));
  }
}
