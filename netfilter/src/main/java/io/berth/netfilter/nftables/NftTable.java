package io.berth.netfilter.nftables;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** One berth table ({@code ip berth} or {@code ip6 berth}): its sets and chains, sorted by name. */
public record NftTable(
    String family,
    String name,
    SortedMap<String, NftSet> sets,
    SortedMap<String, NftChain> chains) {
  public NftTable {
    sets = Collections.unmodifiableSortedMap(new TreeMap<>(sets));
    chains = Collections.unmodifiableSortedMap(new TreeMap<>(chains));
  }

  /** {@code ip berth}: the family and name as nft commands spell them. */
  public String qualifiedName() {
    return family + " " + name;
  }
}
