package io.berth.agent.proxy;

import io.berth.netfilter.NetfilterBackend;
import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.conntrack.ConntrackCleaner;
import io.berth.netfilter.conntrack.NetlinkConntrackTable;
import io.berth.netfilter.detect.Availability;
import io.berth.netfilter.detect.BackendDetector;
import io.berth.netfilter.detect.Detection;
import io.berth.netfilter.detect.IptablesMode;
import io.berth.netfilter.internal.LibC;
import io.berth.netfilter.internal.Native;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.iptables.IptablesBackend;
import io.berth.netfilter.iptables.IptablesFlavours;
import io.berth.netfilter.nftables.NftablesBackend;
import java.util.Optional;

/**
 * Where {@link ServiceProxy} gets its netfilter parts: the host's (libnftables, libiptc, nfnetlink
 * and ctnetlink in berth's own network namespace, all in-process) in production, fakes in unit
 * tests.
 */
public interface DataPlane {
  /** What works here: nftables, the iptables flavour, IPVS. */
  Detection detect() throws NetfilterException;

  /** The nftables back end (called only when {@link #detect()} chose nftables). */
  NetfilterBackend nftables() throws NetfilterException;

  /**
   * Whether berth's in-process iptables writer for {@code flavour} works here (for {@code
   * --proxy-mode iptables}); no iptables binary is needed.
   */
  Availability iptablesTools(IptablesMode.Flavour flavour);

  /** The iptables back end of {@code flavour} (libiptc for legacy, nfnetlink for nft). */
  NetfilterBackend iptables(IptablesMode.Flavour flavour) throws NetfilterException;

  /** The ctnetlink conntrack cleaner. */
  ConntrackCleaner conntrack() throws NetfilterException;

  /** libnftables and ctnetlink through jnr-ffi, in the calling process's network namespace. */
  static DataPlane host() {
    return new DataPlane() {
      private final LibC libc = Native.loadLibC();
      private final NetworkNamespace namespaces = new NetworkNamespace(libc);

      @Override
      public Detection detect() throws NetfilterException {
        return new BackendDetector(Native::loadNftables, libc, namespaces).detect(Optional.empty());
      }

      @Override
      public NetfilterBackend nftables() throws NetfilterException {
        return new NftablesBackend(
            Native.loadNftables(), namespaces, Optional.empty(), System::nanoTime);
      }

      @Override
      public Availability iptablesTools(IptablesMode.Flavour flavour) {
        return IptablesFlavours.probe(flavour, Optional.empty());
      }

      @Override
      public NetfilterBackend iptables(IptablesMode.Flavour flavour) {
        return IptablesBackend.of(flavour, Optional.empty());
      }

      @Override
      public ConntrackCleaner conntrack() throws NetfilterException {
        return new ConntrackCleaner(NetlinkConntrackTable.open(libc, namespaces, Optional.empty()));
      }
    };
  }
}
