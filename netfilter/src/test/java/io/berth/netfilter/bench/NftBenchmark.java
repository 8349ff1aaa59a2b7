package io.berth.netfilter.bench;

import io.berth.netfilter.SyncMode;
import io.berth.netfilter.SyncResult;
import io.berth.netfilter.internal.LibC;
import io.berth.netfilter.internal.LibNftables;
import io.berth.netfilter.internal.Native;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.iptables.IptablesRenderer;
import io.berth.netfilter.lab.NetnsLab;
import io.berth.netfilter.lab.Sh;
import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import io.berth.netfilter.nftables.NftablesBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sync-time benchmark of berth's nftables shape against kube-proxy's shapes, in namespaces this
 * program creates and deletes: its nftables shape loaded with {@code nft -f}, and its iptables
 * shape ({@code KUBE-SVC}/{@code KUBE-SEP} chains with {@code statistic}, as berth's iptables back
 * end renders it) loaded with {@code iptables-legacy-restore}. The binaries are used only as these
 * anchors. A one-endpoint change is, for the iptables anchor, kube-proxy's partial sync: the
 * top-level chains rewritten whole plus the changed service's chains ({@link
 * KubeProxyIptablesSync}).
 *
 * <pre>
 * cd /work/main &amp;&amp; . scripts/lib/jdk.sh &amp;&amp; berth_pick_jdk &amp;&amp; ./mvnw -B -ntp -o -q -pl netfilter \
 *   test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.berth.netfilter.bench.NftBenchmark -Dsizes=1000,5000,10000
 * </pre>
 *
 * Properties: {@code sizes} (default 1000), {@code endpoints} (10), {@code changes} (50), {@code
 * anchorChanges} (5), {@code anchor} (true), {@code iptablesAnchor} (true), {@code firstPacket}
 * (true).
 */
public final class NftBenchmark {
  private static final String NS = "berth-nf-bench";
  private static final String NS_ANCHOR = "berth-nf-bench-kp";
  private static final String NS_IPT = "berth-nf-bench-ipt";
  private static final Pattern FAILED_LINE = Pattern.compile("line (\\d+) failed");

  private final int perService = Integer.getInteger("endpoints", 10);
  private final int changes = Integer.getInteger("changes", 50);
  private final int anchorChanges = Integer.getInteger("anchorChanges", 5);
  private final boolean anchor = Boolean.parseBoolean(System.getProperty("anchor", "true"));
  private final boolean iptablesAnchor =
      Boolean.parseBoolean(System.getProperty("iptablesAnchor", "true"));
  private final LibNftables lib = Native.loadNftables();
  private final LibC libc = Native.loadLibC();
  private final List<String> rows = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    int[] sizes =
        Arrays.stream(System.getProperty("sizes", "1000").split(","))
            .mapToInt(s -> Integer.parseInt(s.strip()))
            .toArray();
    NftBenchmark b = new NftBenchmark();
    for (int s : sizes) {
      b.run(s);
    }
    if (Boolean.parseBoolean(System.getProperty("firstPacket", "true"))) {
      b.firstPacket(10, Arrays.stream(sizes).max().orElse(1000));
    }
    b.print();
  }

  private void run(int services) throws Exception {
    Sh.check("ip", "netns", "add", NS);
    try (NftablesBackend backend =
        new NftablesBackend(
            lib,
            new NetworkNamespace(libc),
            Optional.of(Path.of("/run/netns", NS)),
            System::nanoTime)) {
      List<ServicePort> ports = new ArrayList<>(SyntheticServices.services(services, perService));
      ServiceModel model = ServiceModel.of(ProxyConfig.defaults(), ports);
      long t0 = System.nanoTime();
      SyncResult full = backend.sync(model, SyncMode.FULL);
      double fullMs = ms(System.nanoTime() - t0);
      double anchorFull = anchor ? anchorFull(services) : Double.NaN;
      row(
          "full sync (initial load), " + services + " × " + perService,
          fullMs,
          anchorFull,
          String.format(
              "render %.0f ms + libnftables %.0f ms",
              full.render().toNanos() / 1e6, full.apply().toNanos() / 1e6));

      for (int w = 0; w < 2; w++) { // warm the renderer's code paths as a running agent has
        backend.sync(model, SyncMode.FULL);
      }
      long r0 = System.nanoTime();
      SyncResult replace = backend.sync(model, SyncMode.FULL);
      row(
          "full sync (replace, warm JVM), " + services + " × " + perService,
          ms(System.nanoTime() - r0),
          Double.NaN,
          String.format(
              "render %.0f ms + libnftables %.0f ms",
              replace.render().toNanos() / 1e6, replace.apply().toNanos() / 1e6));

      Random rnd = new Random(42);
      for (int w = 0; w < 200; w++) { // JIT warm-up of the incremental path, not measured
        int i = rnd.nextInt(services);
        ports.set(i, SyntheticServices.service(i, perService - 1, perService));
        backend.sync(ServiceModel.of(ProxyConfig.defaults(), ports), SyncMode.INCREMENTAL);
        ports.set(i, SyntheticServices.service(i, perService, perService));
        backend.sync(ServiceModel.of(ProxyConfig.defaults(), ports), SyncMode.INCREMENTAL);
      }
      double[] wall = new double[changes];
      double[] apply = new double[changes];
      for (int c = 0; c < changes; c++) {
        int i = rnd.nextInt(services);
        int count = perService - 1;
        ports.set(i, SyntheticServices.service(i, count, perService));
        long s0 = System.nanoTime(); // includes building the model, as the proxier does
        ServiceModel changed = ServiceModel.of(ProxyConfig.defaults(), ports);
        SyncResult r = backend.sync(changed, SyncMode.INCREMENTAL);
        wall[c] = ms(System.nanoTime() - s0);
        apply[c] = r.apply().toNanos() / 1e6;
        if (r.mode() != SyncMode.INCREMENTAL) {
          throw new IllegalStateException("expected an incremental sync, got " + r);
        }
        ports.set(i, SyntheticServices.service(i, perService, perService));
        backend.sync(ServiceModel.of(ProxyConfig.defaults(), ports), SyncMode.INCREMENTAL);
      }
      if (iptablesAnchor) {
        iptablesAnchor(services, fullMs, wall);
      }
      double[] anchorChange = anchor ? anchorChanges(services) : new double[] {Double.NaN};
      row(
          "one-endpoint change p50, " + services + " services",
          pct(wall, 50),
          pct(anchorChange, 50),
          String.format("libnftables p50 %.2f ms; %d changes", pct(apply, 50), changes));
      row(
          "one-endpoint change p99, " + services + " services",
          pct(wall, 99),
          pct(anchorChange, 99),
          String.format(
              "libnftables p99 %.2f ms; anchor over %d changes",
              pct(apply, 99), anchorChange.length));
      backend.cleanup();
    } finally {
      Sh.check("ip", "netns", "del", NS);
      if (anchor) {
        Sh.run(List.of("ip", "netns", "del", NS_ANCHOR), 600);
      }
    }
  }

  /**
   * kube-proxy's iptables shape of the same services through {@code iptables-legacy-restore
   * --noflush}: the initial load, then {@code anchorChanges} one-endpoint partial syncs (each
   * undone untimed). Rows compare berth's nftables figures measured above with these.
   */
  private void iptablesAnchor(int services, double berthFullMs, double[] berthChanges)
      throws Exception {
    Sh.check("ip", "netns", "add", NS_IPT);
    Path file = Files.createTempFile("berth-nf-ipt-", ".rules");
    try {
      List<ServicePort> ports = new ArrayList<>(SyntheticServices.services(services, perService));
      String full =
          IptablesRenderer.render(ServiceModel.of(ProxyConfig.defaults(), ports), IpFamily.IPV4);
      Files.writeString(file, full);
      double load = restore(file);
      int expectedRules = natRules(full);
      row(
          "full sync (initial load) vs iptables-legacy-restore, " + services + " × " + perService,
          berthFullMs,
          load,
          "anchor: kube-proxy's iptables shape, " + expectedRules + " nat rules");
      Random rnd = new Random(11);
      double[] t = new double[anchorChanges];
      for (int c = 0; c < anchorChanges; c++) {
        int i = rnd.nextInt(services);
        ports.set(i, SyntheticServices.service(i, perService - 1, perService));
        String changed =
            IptablesRenderer.render(ServiceModel.of(ProxyConfig.defaults(), ports), IpFamily.IPV4);
        Files.writeString(file, KubeProxyIptablesSync.partial(full, changed));
        t[c] = restore(file);
        int loaded = loadedNatRules();
        if (loaded != natRules(changed)) { // the anchor must have done the whole change
          throw new IllegalStateException(
              "partial restore left " + loaded + " nat rules, expected " + natRules(changed));
        }
        ports.set(i, SyntheticServices.service(i, perService, perService));
        Files.writeString(file, KubeProxyIptablesSync.partial(changed, full));
        restore(file);
      }
      row(
          "one-endpoint change p50 vs iptables-legacy-restore, " + services + " services",
          pct(berthChanges, 50),
          pct(t, 50),
          "anchor: kube-proxy's partial sync (top-level chains + the service's chains), "
              + anchorChanges
              + " changes");
    } finally {
      Files.delete(file);
      Sh.run(List.of("ip", "netns", "del", NS_IPT), 600);
    }
  }

  private static List<String> inNetns(String netns, String... command) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    c.addAll(List.of(command));
    return c;
  }

  private static double restore(Path file) {
    Sh.Result r =
        Sh.run(inNetns(NS_IPT, "iptables-legacy-restore", "--noflush", file.toString()), 1200);
    if (!r.ok()) {
      Matcher m = FAILED_LINE.matcher(r.err());
      String line = "";
      try {
        line =
            m.find() ? ": " + Files.readAllLines(file).get(Integer.parseInt(m.group(1)) - 1) : "";
      } catch (IOException e) {
        line = ""; // the message without the line
      }
      throw new IllegalStateException(
          "anchor iptables-legacy-restore failed: " + r.err().strip() + line);
    }
    return r.millis();
  }

  private static int loadedNatRules() {
    Sh.Result r = Sh.run(inNetns(NS_IPT, "iptables-legacy-save", "-t", "nat"), 600);
    if (!r.ok()) {
      throw new IllegalStateException("iptables-legacy-save failed: " + r.err());
    }
    return natRules(r.out());
  }

  /** {@code -A} lines in the text's nat table. */
  private static int natRules(String restoreText) {
    int count = 0;
    boolean nat = false;
    for (String line : restoreText.lines().toList()) {
      if (line.startsWith("*")) {
        nat = line.equals("*nat");
      } else if (nat && line.startsWith("-A ")) {
        count++;
      }
    }
    return count;
  }

  private double anchorFull(int services) throws Exception {
    Sh.check("ip", "netns", "add", NS_ANCHOR);
    Path file = Files.createTempFile("berth-nf-kp-", ".nft");
    try {
      Files.writeString(file, SyntheticServices.kubeProxyRuleset(services, perService));
      return nftFile(file);
    } finally {
      Files.delete(file);
    }
  }

  private double[] anchorChanges(int services) throws Exception {
    Random rnd = new Random(7);
    double[] t = new double[anchorChanges];
    Path file = Files.createTempFile("berth-nf-kp-", ".nft");
    try {
      for (int c = 0; c < anchorChanges; c++) {
        int i = rnd.nextInt(services);
        Files.writeString(
            file, SyntheticServices.kubeProxyChange(i, perService - 1, perService, perService));
        t[c] = nftFile(file);
        Files.writeString(
            file, SyntheticServices.kubeProxyChange(i, perService, perService, perService - 1));
        nftFile(file);
      }
    } finally {
      Files.delete(file);
    }
    return t;
  }

  private static double nftFile(Path file) {
    Sh.Result r = Sh.run(inNetns(NS_ANCHOR, "nft", "-f", file.toString()), 1200);
    if (!r.ok()) {
      throw new IllegalStateException("anchor nft -f failed: " + r.err());
    }
    return r.millis();
  }

  /** curl's connect time through a VIP with {@code small} vs {@code large} other services. */
  private void firstPacket(int small, int large) throws Exception {
    try (NetnsLab lab = new NetnsLab("bench", 1);
        NftablesBackend backend =
            new NftablesBackend(
                lib, new NetworkNamespace(libc), Optional.of(lab.nodeNetns()), System::nanoTime)) {
      double[] connect = new double[2];
      int[] sizes = {small, large};
      for (int k = 0; k < 2; k++) {
        List<ServicePort> ports = new ArrayList<>(SyntheticServices.services(sizes[k], perService));
        ports.add(
            ServicePort.clusterIp(
                new ServicePortName("bench", "real", "http"),
                Protocol.TCP,
                Addresses.parse("10.99.0.1"),
                80,
                List.of(Endpoint.ready(Addresses.parse(NetnsLab.podIp(1)), 8080, true))));
        backend.sync(ServiceModel.of(ProxyConfig.defaults(), ports), SyncMode.FULL);
        connect[k] = connectP50(lab, "http://10.99.0.1/");
      }
      double direct = connectP50(lab, "http://" + NetnsLab.podIp(1) + ":8080/");
      row(
          "first packet (TCP connect via VIP, p50), " + large + " vs " + small + " services",
          connect[1],
          connect[0],
          "anchor column: berth itself with " + small + " services");
      row(
          "first packet (TCP connect, p50), VIP at " + large + " services vs direct to the pod IP",
          connect[1],
          direct,
          "anchor column: the same client to the pod IP, same ruleset loaded");
      backend.cleanup();
    }
  }

  /** p50 of curl's connect time from the lab's client to {@code url}. */
  private static double connectP50(NetnsLab lab, String url) {
    double[] t = new double[Integer.getInteger("firstPacketSamples", 30)];
    for (int n = 0; n < t.length; n++) {
      Sh.Result r =
          Sh.run(
              inNetns(lab.client(), "curl", "-sS", "-o", "/dev/null", "-w", "%{time_connect}", url),
              30);
      if (!r.ok()) {
        throw new IllegalStateException("request to " + url + " failed: " + r.err());
      }
      t[n] = Double.parseDouble(r.out().strip()) * 1000;
    }
    return pct(t, 50);
  }

  private void row(String what, double berth, double anchorMs, String note) {
    rows.add(
        String.format(
            "| %s | %.2f | %s | %s | %s |",
            what,
            berth,
            Double.isNaN(anchorMs) ? "—" : String.format("%.2f", anchorMs),
            Double.isNaN(anchorMs) ? "—" : String.format("%.3f", berth / anchorMs),
            note));
    System.out.println(rows.getLast());
  }

  private void print() {
    System.out.println();
    System.out.println(
        "| measurement | berth ms | anchor ms (kube-proxy shape: nft -f, or iptables-legacy-restore"
            + " where the row says) | berth/anchor | notes |");
    System.out.println("|---|---|---|---|---|");
    rows.forEach(System.out::println);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static double pct(double[] values, int p) {
    double[] v = values.clone();
    Arrays.sort(v);
    int idx = (int) Math.ceil(p / 100.0 * v.length) - 1;
    return v[Math.max(0, Math.min(v.length - 1, idx))];
  }
}
