package io.berth.tests.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.kubeapi.KubeApiClient;
import io.berth.agent.kubeapi.KubeconfigLoader;
import io.berth.agent.kubeapi.ProxyConfigSource;
import io.berth.agent.kubeapi.RateLimiter;
import io.berth.agent.kubeapi.RetryBackoff;
import io.berth.agent.proxy.ProxyEventHandler;
import io.berth.tests.apiserver.TestApiServer;
import io.berth.tests.fixtures.Commands;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Services and EndpointSlices made with kubectl reach the proxier's handler in order. */
class ProxyConfigSourceIT {
  @TempDir Path dir;

  /** Records each call as one line. */
  private static final class Recorder implements ProxyEventHandler {
    final BlockingQueue<String> calls = new LinkedBlockingQueue<>();

    @Override
    public void onServiceAdd(Service s) {
      calls.add("service add " + s.getMetadata().getName() + " " + s.getSpec().getClusterIP());
    }

    @Override
    public void onServiceUpdate(Service p, Service c) {
      calls.add("service update " + c.getMetadata().getName());
    }

    @Override
    public void onServiceDelete(Service s) {
      calls.add("service delete " + s.getMetadata().getName());
    }

    @Override
    public void onServicesSynced() {
      calls.add("services synced");
    }

    @Override
    public void onEndpointSliceAdd(EndpointSlice s) {
      calls.add(
          "slice add " + s.getMetadata().getName() + " " + s.getEndpoints().get(0).getAddresses());
    }

    @Override
    public void onEndpointSliceUpdate(EndpointSlice p, EndpointSlice c) {
      calls.add(
          "slice update "
              + c.getMetadata().getName()
              + " "
              + c.getEndpoints().get(0).getAddresses());
    }

    @Override
    public void onEndpointSliceDelete(EndpointSlice s) {
      calls.add("slice delete " + s.getMetadata().getName());
    }

    @Override
    public void onEndpointSlicesSynced() {
      calls.add("slices synced");
    }

    String next() throws InterruptedException {
      String c = calls.poll(20, TimeUnit.SECONDS);
      assertThat(c).as("a handler call within 20 s").isNotNull();
      return c;
    }
  }

  @Test
  void servicesAndSlicesFromKubectlReachTheHandler() throws Exception {
    try (TestApiServer api = TestApiServer.builder().tls(true).start()) {
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
      KubeApiClient client =
          KubeApiClient.create(
              new KubeconfigLoader().load(kubeconfig, Optional.empty()),
              Clock.systemUTC(),
              "berth/t");
      Recorder recorder = new Recorder();
      try (ProxyConfigSource source =
          new ProxyConfigSource(
              client,
              recorder,
              Duration.ofMinutes(5),
              () -> RetryBackoff.reflectorDefaults(Clock.systemUTC()),
              RateLimiter.Sleeper.THREAD)) {
        source.start();
        List<String> initial = List.of(recorder.next(), recorder.next(), recorder.next());
        assertThat(initial)
            .containsExactlyInAnyOrder(
                "service add kubernetes 10.96.0.1", "services synced", "slices synced");

        Path svc =
            Files.writeString(
                dir.resolve("svc.yaml"),
                """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              selector: {app: web}
              ports: [{name: http, port: 80, targetPort: 8080}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: web-abc
              labels: {kubernetes.io/service-name: web}
            addressType: IPv4
            ports: [{name: http, port: 8080, protocol: TCP}]
            endpoints:
            - addresses: ["10.213.5.7"]
              conditions: {ready: true}
            """);
        kubectl(kubeconfig, "create", "-f", svc.toString());
        String ip =
            api.store()
                .get(io.berth.tests.apiserver.ApiResources.SERVICES, "default", "web")
                .at("/spec/clusterIP")
                .asText();
        List<String> created = List.of(recorder.next(), recorder.next());
        assertThat(created)
            .containsExactlyInAnyOrder("service add web " + ip, "slice add web-abc [10.213.5.7]");

        kubectl(
            kubeconfig,
            "patch",
            "endpointslice",
            "web-abc",
            "--type=json",
            "-p",
            "[{\"op\":\"replace\",\"path\":\"/endpoints/0/addresses/0\",\"value\":\"10.213.5.8\"}]");
        assertThat(recorder.next()).isEqualTo("slice update web-abc [10.213.5.8]");

        kubectl(kubeconfig, "delete", "-f", svc.toString());
        List<String> deleted = List.of(recorder.next(), recorder.next());
        assertThat(deleted).containsExactlyInAnyOrder("service delete web", "slice delete web-abc");
        assertThat(recorder.calls.poll(1, TimeUnit.SECONDS)).as("nothing else").isNull();
      }
    }
  }

  private static void kubectl(Path kubeconfig, String... args) {
    List<String> command =
        new java.util.ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Commands.run(command, Map.of(), null, Duration.ofSeconds(60));
  }
}
