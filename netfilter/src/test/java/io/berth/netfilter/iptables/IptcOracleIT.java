package io.berth.netfilter.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.netfilter.TransactionFailedException;
import io.berth.netfilter.lab.NetnsPair;
import io.berth.netfilter.lab.Sh;
import io.berth.netfilter.model.IpFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The strongest check of berth's libiptc path: for each golden iptables ruleset, the tables that
 * {@link LibiptcTables} writes through jnr-ffi into one fresh network namespace must read back
 * ({@code iptables-legacy-save}, counters masked) byte for byte like the tables {@code
 * iptables-legacy-restore --noflush} makes from the same text (plus the same built-in jumps) in a
 * second fresh namespace. iptables' own extensions are the oracle for every hand-encoded struct.
 * Root; namespaces {@code berth-nf-iptc-*}, removed afterwards.
 */
class IptcOracleIT {
  private static final Path GOLDEN = Path.of("src/test/resources/golden/iptables");

  /** Two fresh namespaces: one written by berth's FFI path, one by iptables-legacy-restore. */
  private static final class Pair implements AutoCloseable {
    final NetnsPair namespaces = new NetnsPair("berth-nf-iptc");
    final String ffi = namespaces.berth;
    final String tool = namespaces.tool;
    final LibiptcTables tables = LibiptcTables.open(Optional.of(namespaces.berthPath()));

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
    return (family == IpFamily.IPV4 ? "iptables" : "ip6tables") + "-legacy-" + what;
  }

  /** The rendered text plus the built-in jumps, appended in each table as berth inserts them. */
  private static String restoreInput(String rendered) {
    StringBuilder out = new StringBuilder();
    String table = null;
    for (String line : rendered.lines().toList()) {
      if (line.startsWith("*")) {
        table = line.substring(1);
      }
      if (line.equals("COMMIT")) {
        String prefix = "-t " + table + " ";
        for (String j : IptablesRenderer.jumps()) {
          if (j.startsWith(prefix)) {
            out.append(j.substring(prefix.length())).append('\n');
          }
        }
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  private static void restore(String ns, IpFamily family, String input) throws Exception {
    Path file = Files.createTempFile("berth-iptc-oracle-", ".rules");
    try {
      Files.writeString(file, input);
      Sh.check("ip", "netns", "exec", ns, tool(family, "restore"), "--noflush", file.toString());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** filter and nat as iptables-legacy-save prints them, without comments and counters. */
  private static String save(String ns, IpFamily family) {
    StringBuilder out = new StringBuilder();
    for (String table : LibiptcTables.TABLES) {
      Sh.check("ip", "netns", "exec", ns, tool(family, "save"), "-t", table)
          .lines()
          .filter(l -> !l.startsWith("#"))
          .map(l -> l.replaceAll("\\[\\d+:\\d+\\]$", "[counters]"))
          .forEach(l -> out.append(l).append('\n'));
    }
    return out.toString();
  }

  private static void applyFfi(Pair p, IpFamily family, String rendered) throws Exception {
    p.tables.apply(family, LibiptcTables.prepare(rendered, family));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"clusterip-nodeport", "affinity-local", "source-ranges", "topology", "ipv6"})
  void libiptcWritesWhatIptablesRestoreWrites(String golden) throws Exception {
    String rendered = Files.readString(GOLDEN.resolve(golden + ".rules"));
    IpFamily family = family(golden);
    try (Pair p = new Pair()) {
      applyFfi(p, family, rendered);
      restore(p.tool, family, restoreInput(rendered));
      String expected = save(p.tool, family);
      assertThat(expected).contains("-A BERTH-"); // the oracle itself is not empty
      assertThat(save(p.ffi, family)).isEqualTo(expected);

      // a second full sync of the same text changes nothing (no duplicate jumps, same rules)
      applyFfi(p, family, rendered);
      assertThat(save(p.ffi, family)).isEqualTo(expected);
      // an incremental one against what was applied has nothing to write, and keeps it all
      List<LibiptcTables.TableInput> nothing =
          LibiptcTables.prepare(
              rendered, family, Optional.of(LibiptcTables.rulesByChain(rendered)));
      assertThat(nothing).allSatisfy(t -> assertThat(t.rules()).isEmpty());
      p.tables.apply(family, nothing);
      assertThat(save(p.ffi, family)).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "incremental={0}")
  @ValueSource(booleans = {false, true})
  void aSecondRulesetEndsLikeAFreshRestoreOfIt(boolean incremental) throws Exception {
    String first = Files.readString(GOLDEN.resolve("affinity-local.rules"));
    String second = Files.readString(GOLDEN.resolve("source-ranges.rules"));
    try (Pair p = new Pair()) {
      applyFfi(p, IpFamily.IPV4, first);
      List<LibiptcTables.TableInput> input =
          LibiptcTables.prepare(
              second,
              IpFamily.IPV4,
              incremental ? Optional.of(LibiptcTables.rulesByChain(first)) : Optional.empty());
      int encoded = input.stream().mapToInt(t -> t.rules().size()).sum();
      int all = (int) second.lines().filter(l -> l.startsWith("-A ")).count();
      // incremental: unchanged chains (BERTH-POSTROUTING, BERTH-MARK-MASQ) are not rewritten
      assertThat(encoded).isEqualTo(incremental ? all - 4 : all);
      p.tables.apply(IpFamily.IPV4, input);
      restore(p.tool, IpFamily.IPV4, restoreInput(second));
      // first's stale chains (affinity, Local policy) are gone, second's rules all there
      assertThat(save(p.ffi, IpFamily.IPV4)).isEqualTo(save(p.tool, IpFamily.IPV4));
    }
  }

  @Test
  void foreignRulesAndChainsSurviveSyncAndRemoval() throws Exception {
    try (Pair p = new Pair()) {
      for (String args :
          List.of(
              "-N CANARY",
              "-A CANARY -p tcp --dport 9 -j RETURN",
              "-A INPUT -j CANARY",
              "-t nat -N CANARY-NAT",
              "-t nat -A CANARY-NAT -d 192.0.2.99/32 -j RETURN",
              "-t nat -A PREROUTING -j CANARY-NAT")) {
        List<String> cmd =
            new ArrayList<>(List.of("ip", "netns", "exec", p.ffi, "iptables-legacy"));
        cmd.addAll(List.of(args.split(" ")));
        Sh.check(cmd.toArray(String[]::new));
      }
      String before = save(p.ffi, IpFamily.IPV4);
      applyFfi(p, IpFamily.IPV4, Files.readString(GOLDEN.resolve("clusterip-nodeport.rules")));
      String during = save(p.ffi, IpFamily.IPV4);
      assertThat(during).contains("-A CANARY -p tcp -m tcp --dport 9 -j RETURN");
      assertThat(during).contains("-A PREROUTING -j CANARY-NAT");

      assertThat(p.tables.removeAll(IpFamily.IPV4))
          .containsExactly("ip filter: 2 chains, 4 jumps", "ip nat: 9 chains, 3 jumps");
      assertThat(save(p.ffi, IpFamily.IPV4)).isEqualTo(before);
      assertThat(p.tables.removeAll(IpFamily.IPV4)).isEmpty();
    }
  }

  @Test
  void aRuleTheKernelRejectsFailsTheTableAndChangesNothing() throws Exception {
    try (Pair p = new Pair()) {
      String bad =
          "*nat\n:BERTH-SERVICES - [0:0]\n"
              + "-A BERTH-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -m comment"
              + " --comment \"default/web:http cluster IP\" -j BERTH-MISSING\nCOMMIT\n";
      assertThatThrownBy(() -> applyFfi(p, IpFamily.IPV4, bad))
          .isInstanceOf(TransactionFailedException.class)
          .hasMessageContaining("commit in IPV4 table nat")
          .hasMessageContaining(p.ffi);
      assertThat(save(p.ffi, IpFamily.IPV4)).doesNotContain("BERTH-");
    }
  }
}
