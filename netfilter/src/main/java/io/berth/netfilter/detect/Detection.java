package io.berth.netfilter.detect;

/**
 * What {@link BackendDetector} found in one network namespace.
 *
 * @param nftables libnftables loads and a probe transaction succeeded
 * @param iptables which iptables flavour is in use (informational: berth's iptables back end is not
 *     implemented yet)
 * @param ipvs whether the kernel offers IPVS
 */
public record Detection(Availability nftables, IptablesMode iptables, Availability ipvs) {

  /** The back end berth should use: nftables when it works (the default), else none. */
  public BackendKind choose() {
    return nftables.available() ? BackendKind.NFTABLES : BackendKind.NONE;
  }

  /** Multi-line human summary for the agent's start-up log. */
  public String summary() {
    return "nftables: "
        + (nftables.available() ? "available" : "NOT available")
        + " ("
        + nftables.reason()
        + ")\n"
        + "iptables: "
        + iptables.flavour().name().toLowerCase(java.util.Locale.ROOT)
        + " mode ("
        + iptables.legacyRules()
        + " legacy rules, "
        + iptables.nftRules()
        + " iptables-nft chains+rules)\n"
        + (ipvs.available() ? "IPVS: available (" + ipvs.reason() + ")" : ipvs.reason())
        + "\n"
        + "chosen: "
        + choose();
  }

  /** Back ends berth can run. */
  public enum BackendKind {
    NFTABLES,
    NONE
  }
}
