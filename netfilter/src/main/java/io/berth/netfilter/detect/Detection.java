package io.berth.netfilter.detect;

/**
 * What {@link BackendDetector} found in one network namespace.
 *
 * @param nftables libnftables loads and a probe transaction succeeded
 * @param iptables which iptables flavour is in use (the iptables back end writes into it)
 * @param ipvs whether the kernel offers IPVS
 * @param iptablesTools whether berth's in-process writer for the detected flavour works here
 *     (libiptc for legacy, nfnetlink for nft; no iptables binary is needed); only probed when
 *     nftables does not work
 */
public record Detection(
    Availability nftables, IptablesMode iptables, Availability ipvs, Availability iptablesTools) {

  /** Without an iptables tools probe. */
  public Detection(Availability nftables, IptablesMode iptables, Availability ipvs) {
    this(nftables, iptables, ipvs, Availability.no("not probed"));
  }

  /**
   * The back end berth should use: nftables when it works (the default), else iptables when its
   * writer works, else none.
   */
  public BackendKind choose() {
    if (nftables.available()) {
      return BackendKind.NFTABLES;
    }
    return iptablesTools.available() ? BackendKind.IPTABLES : BackendKind.NONE;
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
        + " legacy KUBE-/BERTH- rules, "
        + iptables.nftRules()
        + " iptables-nft"
        + (iptables.reason().isEmpty() ? "" : "; " + iptables.reason())
        + ")\n"
        + "iptables writer: "
        + (iptablesTools.available() ? "available" : "NOT available")
        + " ("
        + iptablesTools.reason()
        + ")\n"
        + (ipvs.available() ? "IPVS: available (" + ipvs.reason() + ")" : ipvs.reason())
        + "\n"
        + "chosen: "
        + choose();
  }

  /** Back ends berth can run. */
  public enum BackendKind {
    NFTABLES,
    IPTABLES,
    NONE
  }
}
