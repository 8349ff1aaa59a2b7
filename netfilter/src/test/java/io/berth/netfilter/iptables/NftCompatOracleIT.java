package io.berth.netfilter.iptables;

import static io.berth.netfilter.model.Fixtures.clusterIp;
import static io.berth.netfilter.model.Fixtures.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.netfilter.SyncMode;
import io.berth.netfilter.TransactionFailedException;
import io.berth.netfilter.lab.NetnsPair;
import io.berth.netfilter.lab.Sh;
import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Cidr;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The oracle for berth's iptables-nft path: what {@link NftCompatTables} writes over nfnetlink into
 * one fresh network namespace must read back exactly like what {@code iptables-nft-restore
 * --noflush} makes of the same text in a second one, three ways: {@code iptables-nft-save}
 * (counters masked), {@code nft list ruleset} (counters masked) and {@code nft --debug=netlink list
 * ruleset} (every expression and its registers and data; rule handles masked). Root; namespaces
 * {@code berth-nf-nftc-*}, removed afterwards.
 */
class NftCompatOracleIT {
  private static final Path GOLDEN = Path.of("src/test/resources/golden/iptables");

  /** Two fresh namespaces: one written by berth over nfnetlink, one by iptables-nft-restore. */
  private static final class Pair implements AutoCloseable {
    final NetnsPair namespaces = new NetnsPair("berth-nf-nftc");
    final String ffi = namespaces.berth;
    final String tool = namespaces.tool;
    final NftCompatTables tables = NftCompatTables.open(Optional.of(namespaces.berthPath()));

    @Override
    public void close() {
      tables.close();
      namespaces.close();
    }
  }

  private static IpFamily family(String golden) {
    return golden.startsWith("ipv6") ? IpFamily.IPV6 : IpFamily.IPV4;
  }

  private static String tool(IpFamily family, String what) {
    return (family == IpFamily.IPV4 ? "iptables" : "ip6tables") + "-nft-" + what;
  }

  /** What berth's former restore path fed the tool: the text, stale chains, missing jumps. */
  private static void restore(String ns, IpFamily family, String rendered) throws Exception {
    Map<String, SavedChains> before = new HashMap<>();
    for (String table : LibiptcTables.TABLES) {
      before.put(
          table,
          SavedChains.parse(
              Sh.check("ip", "netns", "exec", ns, tool(family, "save"), "-t", table)));
    }
    String input = withHousekeeping(rendered, before);
    Path file = Files.createTempFile("berth-nftc-oracle-", ".rules");
    try {
      Files.writeString(file, input);
      Sh.check("ip", "netns", "exec", ns, tool(family, "restore"), "--noflush", file.toString());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The built-in chains' jumps into berth's chains, for {@code table}, in save syntax. */
  private static List<String> jumpsIn(String table) {
    String prefix = "-t " + table + " ";
    return IptablesRenderer.jumps().stream()
        .filter(j -> j.startsWith(prefix))
        .map(j -> j.substring(prefix.length()))
        .toList();
  }

  /**
   * What berth's former iptables-nft-restore path fed the tool: {@code rendered} plus, per table:
   * the chains berth had and no longer renders (declared, i.e. flushed, then {@code -X}) and the
   * jumps from built-in chains that are missing ({@code -I}).
   */
  private static String withHousekeeping(String rendered, Map<String, SavedChains> before) {
    Map<String, Set<String>> declared = SavedChains.declared(rendered);
    StringBuilder out = new StringBuilder();
    String table = null;
    for (String line : rendered.lines().toList()) {
      if (line.startsWith("*")) {
        table = line.substring(1);
        out.append(line).append('\n');
        SavedChains had = before.getOrDefault(table, SavedChains.NONE);
        for (String stale : had.chains()) {
          if (!declared.get(table).contains(stale)) {
            out.append(':').append(stale).append(" - [0:0]\n");
          }
        }
        continue;
      }
      if (line.equals("COMMIT") && table != null) {
        SavedChains had = before.getOrDefault(table, SavedChains.NONE);
        List<String> missing = new ArrayList<>(jumpsIn(table));
        missing.removeAll(had.jumps());
        // -I prepends: insert in reverse so the jumps keep the rendered order
        for (int i = missing.size() - 1; i >= 0; i--) {
          out.append("-I").append(missing.get(i).substring(2)).append('\n');
        }
        for (String stale : had.chains()) {
          if (!declared.get(table).contains(stale)) {
            out.append("-X ").append(stale).append('\n');
          }
        }
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  /** The three views of the namespace's tables, masked where they must differ. */
  private static String views(String ns, IpFamily family) {
    StringBuilder out = new StringBuilder("## iptables-nft-save\n");
    for (String table : LibiptcTables.TABLES) {
      Sh.check("ip", "netns", "exec", ns, tool(family, "save"), "-t", table)
          .lines()
          .filter(l -> !l.startsWith("#"))
          .map(l -> l.replaceAll("\\[\\d+:\\d+\\]", "[counters]"))
          .forEach(l -> out.append(l).append('\n'));
    }
    out.append("## nft list ruleset\n");
    Sh.check("ip", "netns", "exec", ns, "nft", "list", "ruleset")
        .lines()
        .map(l -> l.replaceAll("counter packets \\d+ bytes \\d+", "counter"))
        .forEach(l -> out.append(l).append('\n'));
    out.append("## nft --debug=netlink list ruleset\n");
    Sh.check("ip", "netns", "exec", ns, "nft", "--debug=netlink", "list", "ruleset")
        .lines()
        .filter(l -> l.startsWith("ip") || l.startsWith("  ["))
        // rule headers are "<family> <table> <chain> <handle> [<position>]": handles differ
        .map(l -> l.startsWith("ip") ? l.replaceAll("( \\d+)+$", " <handle>") : l)
        .map(l -> l.replaceAll("counter pkts \\d+ bytes \\d+", "counter"))
        .forEach(l -> out.append(l).append('\n'));
    return out.toString();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"clusterip-nodeport", "affinity-local", "source-ranges", "topology", "ipv6"})
  void nfnetlinkWritesWhatIptablesNftRestoreWrites(String golden) throws Exception {
    String rendered = Files.readString(GOLDEN.resolve(golden + ".rules"));
    IpFamily family = family(golden);
    try (Pair p = new Pair()) {
      p.tables.apply(family, LibiptcTables.prepare(rendered, family));
      restore(p.tool, family, rendered);
      String expected = views(p.tool, family);
      assertThat(expected).contains("-A BERTH-").contains("jump BERTH-SERVICES");
      assertThat(views(p.ffi, family)).isEqualTo(expected);

      // a second full sync of the same text changes nothing (no duplicate jumps, same rules)
      p.tables.apply(family, LibiptcTables.prepare(rendered, family));
      assertThat(views(p.ffi, family)).isEqualTo(expected);
    }
  }

  private static ServicePort web(String... endpoints) {
    return clusterIp("web", "10.96.0.10", 80, ready(8080, endpoints)).withNodePort(30080);
  }

  private static ServicePort dns() {
    return ServicePort.clusterIp(
        new ServicePortName("kube-system", "dns", "dns"),
        Protocol.UDP,
        Addresses.parse("10.96.0.53"),
        53,
        ready(53, "10.0.1.9"));
  }

  private static ServiceModel model(ServicePort... ports) {
    // a /12 cluster CIDR is not byte-aligned: iptables-nft then masks with a bitwise expression
    return ServiceModel.of(
        new ProxyConfig(false, 0x4000, List.of(Cidr.parse("10.0.0.0/12"))), List.of(ports));
  }

  /**
   * The same sequence of syncs through {@link IptablesBackend} (first full, then incremental) and
   * through the restore tool: after each step both namespaces read back the same.
   */
  @Test
  void incrementalChangesEndLikeTheRestoreTool() throws Exception {
    List<ServiceModel> steps =
        List.of(
            model(web("10.0.1.2", "10.0.1.3"), dns()),
            model(web("10.0.1.2", "10.0.1.3", "10.0.1.4"), dns()), // endpoint added
            model(web("10.0.1.2", "10.0.1.4"), dns()), // endpoint removed
            model(web("10.0.1.2", "10.0.1.4")), // service removed
            model());
    try (NetnsPair ns = new NetnsPair("berth-nf-nftc");
        IptablesBackend backend =
            IptablesBackend.nftCompat(Optional.of(ns.berthPath()), System::nanoTime)) {
      String ffi = ns.berth;
      String tool = ns.tool;
      List<String> applied = new ArrayList<>();
      for (ServiceModel step : steps) {
        backend.sync(step, applied.isEmpty() ? SyncMode.FULL : SyncMode.INCREMENTAL);
        String rendered = IptablesRenderer.render(step, IpFamily.IPV4);
        // berth writes both families (IPv6 has only its base chains here); so does the oracle
        restore(tool, IpFamily.IPV4, rendered);
        restore(tool, IpFamily.IPV6, IptablesRenderer.render(step, IpFamily.IPV6));
        String expected = views(tool, IpFamily.IPV4) + views(tool, IpFamily.IPV6);
        assertThat(views(ffi, IpFamily.IPV4) + views(ffi, IpFamily.IPV6))
            .as("after step %d", applied.size())
            .isEqualTo(expected);
        applied.add(rendered);
      }
      assertThat(applied.get(0)).contains("-p udp -m udp --dport 53").contains("! -s 10.0.0.0/12");
      assertThat(backend.removeAll()).contains("ip nat: 4 chains, 3 jumps");
      assertThat(Sh.check("ip", "netns", "exec", ffi, "nft", "list", "ruleset"))
          .doesNotContain("BERTH-");
    }
  }

  @Test
  void aRuleTheKernelRejectsFailsTheWholeBatchAndNamesTheRule() throws Exception {
    try (Pair p = new Pair()) {
      String bad =
          "*filter\n:BERTH-SERVICES - [0:0]\n:BERTH-EXTERNAL-SERVICES - [0:0]\nCOMMIT\n"
              + "*nat\n:BERTH-SERVICES - [0:0]\n:BERTH-POSTROUTING - [0:0]\n"
              + "-A BERTH-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -m comment"
              + " --comment \"default/web:http cluster IP\" -j BERTH-MISSING\nCOMMIT\n";
      assertThatThrownBy(
              () -> p.tables.apply(IpFamily.IPV4, LibiptcTables.prepare(bad, IpFamily.IPV4)))
          .isInstanceOf(TransactionFailedException.class)
          .hasMessageContaining(p.ffi)
          .hasMessageContaining("ENOENT")
          .satisfies(
              e -> {
                TransactionFailedException t = (TransactionFailedException) e;
                assertThat(t.errors()).hasSize(1);
                assertThat(t.errors().get(0).line()).isEqualTo(8);
                assertThat(t.errors().get(0).text()).contains("-j BERTH-MISSING");
                assertThat(t.errors().get(0).owner()).isEqualTo("default/web:http");
              });
      // one batch for both tables: not even filter's chains or the jumps were created
      assertThat(Sh.check("ip", "netns", "exec", p.ffi, "nft", "list", "ruleset")).isBlank();
    }
  }
}
