package io.berth.netfilter.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.netfilter.SyncMode;
import io.berth.netfilter.TransactionFailedException;
import io.berth.netfilter.detect.IptablesMode;
import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the iptables back end hands to the tools, with a fake in place of the processes. */
class IptablesBackendTest {
  /** Commands run and their stdin; save answers {@link #saved}, restore {@link #restoreAnswer}. */
  private final List<String> commands = new ArrayList<>();

  private final List<String> inputs = new ArrayList<>();
  private String saved = "";
  private boolean ipv6Broken;
  private IptablesCommands.Result restoreAnswer = new IptablesCommands.Result(0, "", "");

  private final IptablesBackend backend =
      new IptablesBackend(
          new IptablesCommands(
              IptablesMode.Flavour.NFT,
              Optional.of(Path.of("/run/netns/x")),
              (argv, stdin) -> {
                commands.add(String.join(" ", argv));
                inputs.add(stdin);
                if (argv.contains("-t")) { // save: berth's state is in nat only
                  if (ipv6Broken && argv.get(3).startsWith("ip6")) {
                    return new IptablesCommands.Result(
                        1,
                        "",
                        "ip6tables-nft-save: Failed to initialize nft: Protocol not supported");
                  }
                  return new IptablesCommands.Result(0, argv.contains("nat") ? saved : "", "");
                }
                return restoreAnswer;
              }),
          () -> 0L);

  private static ServiceModel web(String... podIps) {
    List<Endpoint> eps = new ArrayList<>();
    for (String ip : podIps) {
      eps.add(Endpoint.ready(Addresses.parse(ip), 8080, true));
    }
    return ServiceModel.of(
        ProxyConfig.defaults(),
        List.of(
            ServicePort.clusterIp(
                new ServicePortName("default", "web", "http"),
                Protocol.TCP,
                Addresses.parse("10.96.0.10"),
                80,
                eps)));
  }

  @Test
  void aFullSyncReadsTheTablesDeletesStaleChainsAndInsertsOnlyMissingJumps() throws Exception {
    saved =
        """
        *nat
        :PREROUTING ACCEPT [0:0]
        :BERTH-SERVICES - [0:0]
        :BERTH-SVC-GONEGONEGONEGONE - [0:0]
        :KUBE-SERVICES - [0:0]
        -A PREROUTING -m comment --comment "berth service portals" -j BERTH-SERVICES
        -A PREROUTING -j KUBE-SERVICES
        COMMIT
        """;
    backend.sync(web("10.0.1.2"), SyncMode.FULL);

    assertThat(commands)
        .containsExactly(
            "nsenter --net=/run/netns/x -- iptables-nft-save -t filter",
            "nsenter --net=/run/netns/x -- iptables-nft-save -t nat",
            "nsenter --net=/run/netns/x -- ip6tables-nft-save -t filter",
            "nsenter --net=/run/netns/x -- ip6tables-nft-save -t nat",
            "nsenter --net=/run/netns/x -- iptables-nft-restore --noflush --wait 5",
            "nsenter --net=/run/netns/x -- ip6tables-nft-restore --noflush --wait 5");
    List<String> v4 = inputs.get(4).lines().toList();
    assertThat(v4)
        .contains(":BERTH-SVC-GONEGONEGONEGONE - [0:0]", "-X BERTH-SVC-GONEGONEGONEGONE")
        .contains(
            "-I OUTPUT -m comment --comment \"berth service portals\" -j BERTH-SERVICES",
            "-I POSTROUTING -m comment --comment \"berth postrouting rules\" -j BERTH-POSTROUTING")
        .doesNotContain(
            "-I PREROUTING -m comment --comment \"berth service portals\" -j BERTH-SERVICES")
        .noneMatch(l -> l.contains("KUBE-"));
    // the stale chain is flushed (declared) before the new rules and deleted after them
    assertThat(v4.indexOf("-X BERTH-SVC-GONEGONEGONEGONE"))
        .isGreaterThan(v4.indexOf(":BERTH-SVC-GONEGONEGONEGONE - [0:0]"))
        .isEqualTo(v4.lastIndexOf("COMMIT") - 1);
  }

  @Test
  void anIncrementalSyncTrustsTheLastOneAndDropsTheChainsItNoLongerRenders() throws Exception {
    backend.sync(web("10.0.1.2", "10.0.1.3"), SyncMode.FULL);
    commands.clear();
    inputs.clear();

    backend.sync(web("10.0.1.2"), SyncMode.INCREMENTAL);

    assertThat(commands).noneMatch(c -> c.contains("-save"));
    String v4 = inputs.getFirst();
    assertThat(v4.lines().filter(l -> l.startsWith("-X BERTH-SEP-"))).hasSize(1);
    assertThat(v4).doesNotContain("-I ").doesNotContain("10.0.1.3:8080");
  }

  @Test
  void aRejectedRestoreNamesTheLineAndServiceAndTheNextSyncIsFull() throws Exception {
    backend.sync(web("10.0.1.2"), SyncMode.FULL);
    restoreAnswer =
        new IptablesCommands.Result(
            2,
            "",
            "iptables-nft-restore v1.8.9 (nf_tables): Chain 'X' does not exist\nError"
                + " occurred at line: 9\n");
    assertThatThrownBy(() -> backend.sync(web("10.0.1.3"), SyncMode.INCREMENTAL))
        .isInstanceOf(TransactionFailedException.class)
        .hasMessageStartingWith("iptables-nft-restore (exit 2) failed, nothing changed:")
        .hasMessageContaining("at line 9: ");
    restoreAnswer = new IptablesCommands.Result(0, "", "");
    commands.clear();
    backend.sync(web("10.0.1.3"), SyncMode.INCREMENTAL);
    assertThat(commands).anyMatch(c -> c.endsWith("iptables-nft-save -t nat"));
  }

  @Test
  void removeAllDeletesBerthsChainsAndJumpsOnly() throws Exception {
    saved =
        """
        *nat
        :PREROUTING ACCEPT [0:0]
        :BERTH-SERVICES - [0:0]
        :CANARY - [0:0]
        -A PREROUTING -m comment --comment "berth service portals" -j BERTH-SERVICES
        -A PREROUTING -j CANARY
        -A BERTH-SERVICES -j CANARY
        COMMIT
        """;
    List<String> removed = backend.removeAll();

    assertThat(removed).contains("ip nat: 1 chains, 1 jumps", "ip6 nat: 1 chains, 1 jumps");
    assertThat(inputs.get(2))
        .isEqualTo(
            """
            *nat
            :BERTH-SERVICES - [0:0]
            -D PREROUTING -m comment --comment "berth service portals" -j BERTH-SERVICES
            -X BERTH-SERVICES
            COMMIT
            """);
  }

  @Test
  void aFamilyWhoseToolsFailIsSkippedWhileNoServiceNeedsIt() throws Exception {
    ipv6Broken = true;
    backend.sync(web("10.0.1.2"), SyncMode.FULL);
    assertThat(commands).noneMatch(c -> c.contains("ip6tables-nft-restore"));
    commands.clear();
    backend.sync(web("10.0.1.3"), SyncMode.INCREMENTAL);
    assertThat(commands)
        .containsExactly("nsenter --net=/run/netns/x -- iptables-nft-restore --noflush --wait 5");

    ServiceModel v6 =
        ServiceModel.of(
            ProxyConfig.defaults(),
            List.of(
                ServicePort.clusterIp(
                    new ServicePortName("default", "web6", "http"),
                    Protocol.TCP,
                    Addresses.parse("fd00:96::10"),
                    80,
                    List.of())));
    assertThatThrownBy(() -> backend.sync(v6, SyncMode.FULL))
        .hasMessageContaining("ip6tables-nft-save -t filter failed (exit 1)");
  }
}
