package io.berth.netfilter.detect;

import io.berth.netfilter.iptables.RuleCount;

/**
 * Which iptables flavour the node already uses, decided as kube-proxy's iptables wrapper does, from
 * what the kernel holds (no iptables binary is run):
 *
 * <ol>
 *   <li>a {@code KUBE-IPTABLES-HINT} or {@code KUBE-KUBELET-CANARY} chain in iptables-nft's tables
 *       → nft; else one in the legacy tables → legacy;
 *   <li>else the flavour with more rules in or jumping to {@code KUBE-*}/{@code BERTH-*} chains;
 *   <li>else the flavour with more rules at all;
 *   <li>else nft (the modern default).
 * </ol>
 *
 * @param legacyRules {@code KUBE-*}/{@code BERTH-*} rules in the legacy x_tables
 * @param nftRules {@code KUBE-*}/{@code BERTH-*} rules in iptables-nft's tables ({@code ip
 *     filter/nat/...})
 * @param reason which step decided, in words
 */
public record IptablesMode(Flavour flavour, int legacyRules, int nftRules, String reason) {
  /** The two iptables back ends. */
  public enum Flavour {
    LEGACY,
    NFT
  }

  /** Without a reason (tests, fakes). */
  public IptablesMode(Flavour flavour, int legacyRules, int nftRules) {
    this(flavour, legacyRules, nftRules, "");
  }

  /** The decision from what each flavour holds. */
  public static IptablesMode decide(RuleCount legacy, RuleCount nft) {
    int l = legacy.kubeRules();
    int n = nft.kubeRules();
    if (nft.hint()) {
      return new IptablesMode(Flavour.NFT, l, n, "kube hint chain in iptables-nft");
    }
    if (legacy.hint()) {
      return new IptablesMode(Flavour.LEGACY, l, n, "kube hint chain in legacy iptables");
    }
    if (l != n) {
      return new IptablesMode(
          l > n ? Flavour.LEGACY : Flavour.NFT, l, n, "more KUBE-/BERTH- rules");
    }
    if (legacy.rules() != nft.rules()) {
      return new IptablesMode(
          legacy.rules() > nft.rules() ? Flavour.LEGACY : Flavour.NFT,
          l,
          n,
          "more rules (" + legacy.rules() + " legacy, " + nft.rules() + " nft)");
    }
    return new IptablesMode(Flavour.NFT, l, n, "no rules either way: nft by default");
  }
}
