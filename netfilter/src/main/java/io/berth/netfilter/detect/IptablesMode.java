package io.berth.netfilter.detect;

/**
 * Which iptables flavour the node already uses, decided as kube-proxy's iptables wrapper does: the
 * flavour holding more rules wins; with none anywhere, nft (the modern default).
 *
 * @param legacyRules user rules found in legacy x_tables (over each table's built-in entries)
 * @param nftRules chains plus rules found in iptables-nft's tables ({@code ip filter/nat/...})
 */
public record IptablesMode(Flavour flavour, int legacyRules, int nftRules) {
  /** The two iptables back ends. */
  public enum Flavour {
    LEGACY,
    NFT
  }

  static IptablesMode decide(int legacyRules, int nftRules) {
    return new IptablesMode(
        legacyRules > nftRules ? Flavour.LEGACY : Flavour.NFT, legacyRules, nftRules);
  }
}
