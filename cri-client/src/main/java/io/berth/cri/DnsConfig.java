package io.berth.cri;

import java.util.List;

/** DNS servers, search domains and resolv.conf options of a sandbox. */
public record DnsConfig(List<String> servers, List<String> searches, List<String> options) {
  public DnsConfig {
    servers = Copies.list(servers);
    searches = Copies.list(searches);
    options = Copies.list(options);
  }
}
