package io.berth.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServiceFileSourceTest {
  @TempDir Path dir;
  private final RecordingHandler handler = new RecordingHandler();
  private ServiceFileSource source;
  private String webYaml;

  @BeforeEach
  void setUp() throws IOException {
    source = new ServiceFileSource(dir, handler);
    try (InputStream in = getClass().getResourceAsStream("/proxy/web.yaml")) {
      webYaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static String service(String name, String ip) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: %s}
        spec: {clusterIP: %s, ports: [{name: http, port: 80}]}
        """
        .formatted(name, ip);
  }

  @Test
  void firstScanDeliversEverythingThenReportsSynced() throws IOException {
    Files.writeString(dir.resolve("web.yaml"), webYaml);
    Files.writeString(dir.resolve("notes.txt"), "not a manifest");
    Files.writeString(dir.resolve(".hidden.yaml"), "garbage: [");

    assertThat(source.scan()).isEmpty();

    assertThat(handler.take())
        .containsExactly(
            "add EndpointSlice default/web-abc", "add Service default/web",
            "services synced", "endpointslices synced");
    assertThat(source.scan()).isEmpty();
    assertThat(handler.take()).isEmpty();
  }

  @Test
  void addChangeAndDeleteAServiceFile() throws IOException {
    source.scan();
    handler.take();
    Path f = dir.resolve("api.json");

    Files.writeString(
        f,
        """
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "shop"},
         "spec": {"clusterIP": "10.96.0.20", "ports": [{"name": "http", "port": 80}]}}""");
    source.scan();
    assertThat(handler.take()).containsExactly("add Service shop/api");

    Files.writeString(f, Files.readString(f).replace("10.96.0.20", "10.96.0.21"));
    source.scan();
    assertThat(handler.take()).containsExactly("update Service shop/api");
    assertThat(handler.services.getLast().getSpec().getClusterIP()).isEqualTo("10.96.0.21");

    Files.delete(f);
    source.scan();
    assertThat(handler.take()).containsExactly("delete Service shop/api");
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("not YAML", "kind: Service\n  metadata: [", "not valid YAML/JSON"),
        Arguments.of(
            "unsupported kind",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
            "unsupported kind 'Pod'"),
        Arguments.of(
            "no name",
            "apiVersion: v1\nkind: Service\nspec: {clusterIP: 10.96.0.5}\n",
            "Service without metadata.name"),
        Arguments.of("bad cluster IP", service("bad", "10.96.x"), "not an IP literal"),
        Arguments.of(
            "bad protocol",
            "apiVersion: v1\nkind: Service\nmetadata: {name: bad}\n"
                + "spec: {clusterIP: 10.96.0.5, ports: [{port: 80, protocol: ICMP}]}\n",
            "unsupported protocol 'ICMP'"),
        Arguments.of(
            "slice without service label",
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\n"
                + "addressType: IPv4\nendpoints: []\n",
            "no kubernetes.io/service-name label"),
        Arguments.of(
            "slice with a bad address",
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
                + "metadata: {name: s, labels: {kubernetes.io/service-name: web}}\n"
                + "addressType: IPv4\nendpoints: [{addresses: [10.0.1.x]}]\n",
            "endpointslice default/s"),
        Arguments.of(
            "wrong field type",
            service("bad", "10.96.0.5").replace("port: 80", "port: eighty"),
            "document 1 (Service bad)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void aBadFileIsRejectedWithItsReasonAndOthersStillLoad(String name, String text, String reason)
      throws IOException {
    Files.writeString(dir.resolve("a-good.yaml"), service("good", "10.96.0.30"));
    Files.writeString(dir.resolve("b-bad.yaml"), text);
    Files.writeString(dir.resolve("c-web.yaml"), webYaml);

    List<ServiceFileSource.Rejected> rejected = source.scan();

    assertThat(rejected)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.file()).isEqualTo(dir.resolve("b-bad.yaml"));
              assertThat(r.reason()).contains(reason);
            });
    assertThat(handler.take())
        .contains(
            "add Service default/good",
            "add Service default/web",
            "add EndpointSlice default/web-abc");
  }

  @Test
  void aFileThatTurnsBadKeepsItsLastValidContentUntilFixedOrDeleted() throws IOException {
    Path f = dir.resolve("web.yaml");
    Files.writeString(f, webYaml);
    source.scan();
    handler.take();

    Files.writeString(f, webYaml.substring(0, webYaml.length() / 2) + "\n  : [broken");
    assertThat(source.scan()).hasSize(1);
    assertThat(handler.take()).isEmpty();

    Files.delete(f);
    assertThat(source.scan()).isEmpty();
    assertThat(handler.take())
        .containsExactlyInAnyOrder(
            "delete Service default/web", "delete EndpointSlice default/web-abc");
  }

  @Test
  void anObjectDefinedTwiceIsTakenFromTheFirstFile() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), service("web", "10.96.0.10"));
    Files.writeString(dir.resolve("b.yaml"), service("web", "10.96.0.99"));

    assertThat(source.scan())
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.reason())
                    .contains("Service default/web is already defined in a.yaml"));
    assertThat(handler.services)
        .singleElement()
        .satisfies(s -> assertThat(s.getSpec().getClusterIP()).isEqualTo("10.96.0.10"));
  }

  @Test
  void periodicScanPicksUpChangesWithinThePeriod() throws IOException {
    FakeClock clock = new FakeClock();
    FakeScheduler scheduler = new FakeScheduler(clock);
    TaskScheduler.Cancellable scans = source.scanPeriodically(scheduler, Duration.ofSeconds(20));
    scheduler.runDue();
    handler.take();

    Files.writeString(dir.resolve("x.yaml"), service("x", "10.96.0.40"));
    scheduler.advance(Duration.ofSeconds(19));
    assertThat(handler.take()).isEmpty();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(handler.take()).containsExactly("add Service default/x");

    scans.cancel();
    Files.delete(dir.resolve("x.yaml"));
    scheduler.advance(Duration.ofMinutes(1));
    assertThat(handler.take()).isEmpty();
  }
}
