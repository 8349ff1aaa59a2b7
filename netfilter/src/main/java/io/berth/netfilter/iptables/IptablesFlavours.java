package io.berth.netfilter.iptables;

import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.detect.Availability;
import io.berth.netfilter.detect.IptablesMode;
import io.berth.netfilter.model.IpFamily;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The iptables flavours as the kernel shows them, in-process (no iptables binary): what each holds
 * (for {@link IptablesMode#decide}) and whether berth's writer for one works here.
 */
public final class IptablesFlavours {
  private IptablesFlavours() {}

  /** iptables-nft's IPv4 tables, read over nfnetlink. */
  public static RuleCount nft(Optional<Path> netns) throws NetfilterException {
    try (NftCompatTables t = NftCompatTables.open(netns)) {
      return t.count(IpFamily.IPV4);
    }
  }

  /**
   * The legacy IPv4 tables named in {@code tables} (those listed in {@code
   * /proc/net/ip_tables_names}; an unlisted table is never opened, since opening it creates it),
   * read through libiptc.
   */
  public static RuleCount legacy(Optional<Path> netns, List<String> tables)
      throws NetfilterException {
    if (tables.isEmpty()) {
      return RuleCount.NONE;
    }
    try (LibiptcTables t = LibiptcTables.open(netns)) {
      return t.count(IpFamily.IPV4, tables);
    }
  }

  /**
   * Whether berth's in-process writer for {@code flavour} works in {@code netns}: legacy, libiptc
   * loads and opens the filter table; nft, the kernel answers an nf_tables dump (both need
   * CAP_NET_ADMIN).
   */
  public static Availability probe(IptablesMode.Flavour flavour, Optional<Path> netns) {
    try (TableWriter w =
        flavour == IptablesMode.Flavour.LEGACY
            ? LibiptcTables.open(netns)
            : NftCompatTables.open(netns)) {
      w.probe(IpFamily.IPV4);
      return Availability.yes(w.describe() + " works");
    } catch (NetfilterException | RuntimeException e) {
      return Availability.no(e.getMessage());
    }
  }
}
