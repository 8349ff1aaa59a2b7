package io.berth.netfilter.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.netfilter.detect.IptablesMode.Flavour;
import io.berth.netfilter.iptables.RuleCount;
import org.junit.jupiter.api.Test;

/** kube-proxy's iptables-wrapper decision, step by step. */
class IptablesModeTest {
  private static Flavour decide(RuleCount legacy, RuleCount nft) {
    return IptablesMode.decide(legacy, nft).flavour();
  }

  @Test
  void nothingAnywhereMeansNft() {
    IptablesMode m = IptablesMode.decide(RuleCount.NONE, RuleCount.NONE);
    assertThat(m).isEqualTo(new IptablesMode(Flavour.NFT, 0, 0, m.reason()));
    assertThat(m.reason()).contains("nft by default");
  }

  @Test
  void aHintChainDecidesBeforeAnyCountAndNftsHintFirst() {
    RuleCount busyLegacy = new RuleCount(500, 400, false);
    assertThat(decide(busyLegacy, new RuleCount(0, 0, true))).isEqualTo(Flavour.NFT);
    assertThat(decide(new RuleCount(0, 0, true), new RuleCount(500, 400, false)))
        .isEqualTo(Flavour.LEGACY);
    assertThat(decide(new RuleCount(0, 0, true), new RuleCount(0, 0, true))).isEqualTo(Flavour.NFT);
  }

  @Test
  void moreKubeOrBerthRulesWinOverMoreRulesAtAll() {
    // a legacy firewall with many rules, kube-proxy's rules in iptables-nft
    assertThat(decide(new RuleCount(900, 0, false), new RuleCount(40, 30, false)))
        .isEqualTo(Flavour.NFT);
    assertThat(decide(new RuleCount(40, 30, false), new RuleCount(900, 0, false)))
        .isEqualTo(Flavour.LEGACY);
    IptablesMode m = IptablesMode.decide(new RuleCount(40, 30, false), new RuleCount(9, 2, false));
    assertThat(m.legacyRules()).isEqualTo(30);
    assertThat(m.nftRules()).isEqualTo(2);
    assertThat(m.reason()).isEqualTo("more KUBE-/BERTH- rules");
  }

  @Test
  void withoutKubeRulesTheFlavourWithMoreRulesWinsAndATieIsNft() {
    assertThat(decide(new RuleCount(3, 0, false), new RuleCount(1, 0, false)))
        .isEqualTo(Flavour.LEGACY);
    assertThat(decide(new RuleCount(1, 0, false), new RuleCount(3, 0, false)))
        .isEqualTo(Flavour.NFT);
    assertThat(decide(new RuleCount(5, 2, false), new RuleCount(5, 2, false)))
        .isEqualTo(Flavour.NFT);
  }
}
