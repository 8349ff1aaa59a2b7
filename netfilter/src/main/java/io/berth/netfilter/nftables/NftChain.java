package io.berth.netfilter.nftables;

import java.util.List;

/**
 * A chain in a berth table.
 *
 * @param hook the base-chain spec ({@code type nat hook prerouting priority -100; policy accept;}),
 *     or {@code ""} for a regular chain
 * @param owner the service port the chain belongs to, or {@code ""} for shared chains
 */
public record NftChain(String name, String hook, List<String> rules, String owner) {
  public NftChain {
    rules = List.copyOf(rules);
  }
}
