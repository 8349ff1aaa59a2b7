package io.berth.bench;

import io.berth.netfilter.SyncMode;
import io.berth.netfilter.SyncResult;
import io.berth.netfilter.detect.IptablesMode;
import io.berth.netfilter.iptables.IptablesBackend;
import io.berth.netfilter.iptables.IptablesRenderer;
import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * berth's iptables back end against the bare restore tool, in the same run: for S services × 10
 * endpoints, berth's full sync ({@code IptablesBackend.sync}; legacy, the default: render + encode
 * + libiptc in-process, one {@code iptc_commit} per table; nft: render + encode + one nfnetlink
 * batch per family in-process, as iptables-nft encodes it) vs a bare {@code iptables-restore
 * --noflush} of the very same ruleset text into a fresh namespace (the anchor: what the kernel and
 * the tool cost with no berth around them); then one endpoint removed: berth's next sync vs the
 * bare tool loading the changed text over the loaded one. Each side gets its own network namespace
 * ({@code berth-iptb-*}), deleted at the end. Root only.
 *
 * <pre>
 *   java -cp ... io.berth.bench.IptablesSyncBench [--sizes 1000,5000] [--flavour legacy|nft]
 * </pre>
 */
public final class IptablesSyncBench {
  private IptablesSyncBench() {}

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = List.of(1000);
    IptablesMode.Flavour flavour = IptablesMode.Flavour.LEGACY;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--sizes" -> {
          List<Integer> s = new ArrayList<>();
          for (String v : args[i + 1].split(",")) {
            s.add(Integer.parseInt(v.strip()));
          }
          sizes = s;
        }
        case "--flavour" ->
            flavour = IptablesMode.Flavour.valueOf(args[i + 1].toUpperCase(Locale.ROOT));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String restore = "iptables-" + flavour.name().toLowerCase(Locale.ROOT) + "-restore";
    System.out.printf(
        "| measurement (%s) | berth ms (%s) | anchor ms (bare %s --noflush, same text) |"
            + " berth/anchor |%n",
        flavour.name().toLowerCase(Locale.ROOT),
        flavour == IptablesMode.Flavour.LEGACY ? "libiptc FFI" : "nfnetlink FFI",
        restore);
    System.out.println("|---|---|---|---|");
    BenchResults results = new BenchResults("iptables", args);
    for (int size : sizes) {
      run(size, flavour, restore, results);
    }
    results.writeIfRequested();
  }

  private static void run(
      int services, IptablesMode.Flavour flavour, String restore, BenchResults results)
      throws Exception {
    String berthNs = netns();
    String anchorNs = netns();
    try {
      ServiceModel full = model(services, -1);
      ServiceModel changed = model(services, services / 2);
      long t0;
      long t1;
      long t2;
      SyncResult first;
      SyncResult second;
      try (IptablesBackend berth =
          IptablesBackend.of(flavour, Optional.of(Path.of("/run/netns", berthNs)))) {
        t0 = System.nanoTime();
        first = berth.sync(full, SyncMode.FULL);
        t1 = System.nanoTime();
        second = berth.sync(changed, SyncMode.INCREMENTAL);
        t2 = System.nanoTime();
      }

      String jumps = jumpSection();
      long a0 = System.nanoTime();
      exec(anchorNs, restore, jumps + IptablesRenderer.render(full, IpFamily.IPV4));
      long a1 = System.nanoTime();
      exec(anchorNs, restore, IptablesRenderer.render(changed, IpFamily.IPV4));
      long a2 = System.nanoTime();

      String anchor = "bare " + restore + " --noflush of the same text, fresh namespace";
      String label = " (" + flavour.name().toLowerCase(Locale.ROOT) + ")";
      Figure fullSync =
          Figure.of(
              "full-sync-" + services,
              "full sync, " + services + " × 10" + label,
              "ms",
              (t1 - t0) / 1e6,
              (a1 - a0) / 1e6,
              anchor);
      // the proxy's own target (issue #6) holds for either back end at 10k services
      results.figure(
          services >= 10_000 ? fullSync.withTargets(Target.atMost(2000, "ms")) : fullSync);
      results.figure(
          Figure.of(
              "change-" + services,
              "one endpoint removed, " + services + " services" + label,
              "ms",
              (t2 - t1) / 1e6,
              (a2 - a1) / 1e6,
              anchor));
      row("full sync, " + services + " × 10", t1 - t0, a1 - a0, split(flavour, first));
      row(
          "one endpoint removed, " + services + " services",
          t2 - t1,
          a2 - a1,
          "berth rewrites the changed chains; " + split(flavour, second));
    } finally {
      new ProcessBuilder("ip", "netns", "del", berthNs).inheritIO().start().waitFor();
      new ProcessBuilder("ip", "netns", "del", anchorNs).inheritIO().start().waitFor();
    }
  }

  private static String split(IptablesMode.Flavour flavour, SyncResult r) {
    return String.format(
        Locale.ROOT,
        flavour == IptablesMode.Flavour.LEGACY
            ? "render + encode %.0f ms, libiptc %.0f ms"
            : "render + validate %.0f ms, nfnetlink (dumps, encode, batch) %.0f ms",
        r.render().toNanos() / 1e6,
        r.apply().toNanos() / 1e6);
  }

  private static void row(String what, long berthNanos, long anchorNanos, String note) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %.1f | %.1f | %.2f | %s%n",
        what,
        berthNanos / 1e6,
        anchorNanos / 1e6,
        (double) berthNanos / anchorNanos,
        note);
  }

  /**
   * The jumps from the built-in chains, as restore lines (berth inserts them on its first sync).
   */
  private static String jumpSection() {
    StringBuilder filter =
        new StringBuilder("*filter\n:BERTH-SERVICES - [0:0]\n:BERTH-EXTERNAL-SERVICES - [0:0]\n");
    StringBuilder nat =
        new StringBuilder("*nat\n:BERTH-SERVICES - [0:0]\n:BERTH-POSTROUTING - [0:0]\n");
    for (String j : IptablesRenderer.jumps()) {
      String rule = j.substring(j.indexOf(" -A ") + 1).replaceFirst("^-A", "-I");
      (j.startsWith("-t nat") ? nat : filter).append(rule).append('\n');
    }
    return filter.append("COMMIT\n").toString() + nat.append("COMMIT\n");
  }

  private static ServiceModel model(int services, int withOneEndpointLess) {
    List<ServicePort> ports = new ArrayList<>(services);
    for (int i = 0; i < services; i++) {
      List<Endpoint> eps = new ArrayList<>();
      int n = i == withOneEndpointLess ? 9 : 10;
      for (int j = 0; j < n; j++) {
        int k = i * 10 + j;
        eps.add(
            Endpoint.ready(
                Addresses.parse("10." + (128 + k / 65_536) + "." + (k / 256) % 256 + "." + k % 256),
                8080,
                false));
      }
      ports.add(
          ServicePort.clusterIp(
              new ServicePortName("bench", String.format("svc%06d", i), "http"),
              Protocol.TCP,
              Addresses.parse("10." + (96 + i / 65_536) + "." + (i / 256) % 256 + "." + i % 256),
              80,
              eps));
    }
    return ServiceModel.of(ProxyConfig.defaults(), ports);
  }

  private static String netns() throws Exception {
    String name = "berth-iptb-" + Long.toString(new SecureRandom().nextLong() & 0xffffffL, 36);
    if (new ProcessBuilder("ip", "netns", "add", name).inheritIO().start().waitFor() != 0) {
      throw new IllegalStateException("ip netns add " + name + " failed");
    }
    return name;
  }

  private static void exec(String ns, String restore, String input) throws Exception {
    Process p =
        new ProcessBuilder("ip", "netns", "exec", ns, restore, "--noflush", "--wait", "5")
            .redirectErrorStream(true)
            .start();
    try (var in = p.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(restore + " failed in " + ns + ": " + out);
    }
  }
}
