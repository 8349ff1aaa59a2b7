package io.berth.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.netfilter.SyncMode;
import io.berth.netfilter.internal.Native;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.nftables.NftablesBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File source → trackers → runner → the real {@link NftablesBackend}, in {@code berth-pr-x-*}
 * namespaces (root): a Service + EndpointSlice file brings a ClusterIP up, editing the slice drops
 * an endpoint after one sync, deleting the file takes the VIP down.
 */
class ProxierIT {
  private static final String VIP = "http://10.96.0.10/";
  @TempDir Path dir;

  private static String manifest(int... pods) {
    StringBuilder eps = new StringBuilder();
    for (int i : pods) {
      eps.append("- addresses: [")
          .append(ProxyLab.podIp(i))
          .append("]\n")
          .append("  conditions: {ready: true}\n  nodeName: node-a\n");
    }
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
          clusterIP: 10.96.0.10
          ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-1
          namespace: default
          labels: {kubernetes.io/service-name: web}
        addressType: IPv4
        ports: [{name: http, protocol: TCP, port: 8080}]
        endpoints:
        """
        + eps;
  }

  @Test
  void servicesFromFilesReachTheirEndpointsThroughNftables() throws Exception {
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("berth-proxier-sync-it").daemon().unstarted(r));
    try (ProxyLab lab = new ProxyLab(2);
        NftablesBackend backend =
            new NftablesBackend(
                Native.loadNftables(),
                new NetworkNamespace(Native.loadLibC()),
                Optional.of(lab.nodeNetns()),
                System::nanoTime)) {
      ProxierSettings settings = ProxierSettings.defaults("node-a");
      settings =
          new ProxierSettings(
              settings.nodeName(),
              settings.proxyName(),
              settings.proxyConfig(),
              Duration.ofMillis(50),
              2,
              Duration.ofSeconds(30),
              Duration.ofMinutes(10),
              Duration.ofMillis(200));
      Proxier proxier =
          new Proxier(settings, backend, Clock.systemUTC(), TaskScheduler.of(executor));
      ServiceFileSource source = new ServiceFileSource(dir, proxier);
      proxier.start();
      try {
        Path file = dir.resolve("web.yaml");
        Files.writeString(file, manifest(1, 2));
        assertThat(source.scan()).isEmpty();
        // the Service and its slice may land in one sync or two (the runner may start between
        // the two events): wait for the state, not for a count.
        ProxierStats up = await(proxier, s -> s.servicePorts() == 1 && s.endpoints() == 2);
        assertThat(up.fullSyncs()).isEqualTo(1);
        assertThat(answers(lab, 16)).containsExactly("pod1", "pod2");

        Files.writeString(file, manifest(1));
        source.scan();
        ProxierStats dropped = await(proxier, s -> s.syncs() > up.syncs());
        assertThat(dropped.syncs()).isEqualTo(up.syncs() + 1);
        assertThat(dropped.lastSyncMode()).contains(SyncMode.INCREMENTAL);
        assertThat(dropped.endpoints()).isEqualTo(1);
        assertThat(answers(lab, 12)).containsExactly("pod1");

        Files.delete(file);
        source.scan();
        await(proxier, s -> s.servicePorts() == 0);
        assertThat(lab.get(ProxyLab.client(), VIP, 1)).startsWith("FAILED");
        assertThat(proxier.stats().failedSyncs()).isZero();
      } finally {
        proxier.close();
        executor.shutdown(); // let a sync in progress finish
        executor.awaitTermination(10, TimeUnit.SECONDS);
        backend.cleanup();
      }
    }
  }

  private static Set<String> answers(ProxyLab lab, int n) {
    Set<String> bodies = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      bodies.add(lab.get(ProxyLab.client(), VIP, 3));
    }
    return bodies;
  }

  /** Waits (real threads here) until the proxier's stats satisfy {@code done}. */
  private static ProxierStats await(Proxier proxier, Predicate<ProxierStats> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!done.test(proxier.stats())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("proxier did not get there within 10 s: " + proxier.stats());
      }
      Thread.sleep(20);
    }
    return proxier.stats();
  }
}
