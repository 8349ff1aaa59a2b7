package io.berth.netfilter.conntrack;

import io.berth.netfilter.model.IpFamily;
import java.util.Objects;

/**
 * One connection tracking entry as the kernel reports it in a ctnetlink dump.
 *
 * @param protocolNumber the IP protocol number ({@code IPPROTO_UDP} = 17)
 * @param original the original-direction tuple (client → service frontend)
 * @param reply the reply-direction tuple (after DNAT its source is the endpoint)
 * @param id the kernel's entry id ({@code CTA_ID}); a delete names it so that a new entry reusing
 *     the same tuple is never hit
 * @param zone the conntrack zone ({@code CTA_ZONE}), 0 by default
 */
public record ConntrackEntry(
    IpFamily family, int protocolNumber, FlowTuple original, FlowTuple reply, long id, int zone) {
  public ConntrackEntry {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(reply, "reply");
    if (protocolNumber < 0 || protocolNumber > 255) {
      throw new IllegalArgumentException("protocol number out of range: " + protocolNumber);
    }
    if (id < 0 || id > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("entry id out of range: " + id);
    }
    if (zone < 0 || zone > 0xFFFF) {
      throw new IllegalArgumentException("zone out of range: " + zone);
    }
  }

  @Override
  public String toString() {
    return "proto "
        + protocolNumber
        + " "
        + original
        + " reply "
        + reply
        + " id "
        + id
        + (zone == 0 ? "" : " zone " + zone);
  }
}
