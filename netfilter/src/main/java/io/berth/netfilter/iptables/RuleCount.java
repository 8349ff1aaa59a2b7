package io.berth.netfilter.iptables;

/**
 * What one iptables flavour holds in a namespace, for the flavour decision kube-proxy's iptables
 * wrapper makes: the KUBE-IPTABLES-HINT / KUBE-KUBELET-CANARY chains the kubelet and kube-proxy
 * create, the rules in or jumping to {@code KUBE-*}/{@code BERTH-*} chains, and all rules.
 *
 * @param rules every rule in the flavour's IPv4 tables (built-in chain policies excluded)
 * @param kubeRules rules in a {@code KUBE-*}/{@code BERTH-*} chain or jumping to one
 * @param hint a {@code KUBE-IPTABLES-HINT} or {@code KUBE-KUBELET-CANARY} chain exists
 */
public record RuleCount(int rules, int kubeRules, boolean hint) {
  public static final RuleCount NONE = new RuleCount(0, 0, false);

  static boolean kubeChain(String chain) {
    return chain.startsWith("KUBE-") || chain.startsWith(SavedChains.PREFIX);
  }

  static boolean hintChain(String chain) {
    return chain.equals("KUBE-IPTABLES-HINT") || chain.equals("KUBE-KUBELET-CANARY");
  }
}
