package io.berth.netfilter.model;

import java.util.Locale;

/** A Kubernetes service port protocol. */
public enum Protocol {
  TCP,
  UDP,
  SCTP;

  /** The nftables {@code meta l4proto} keyword. */
  public String nftName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
