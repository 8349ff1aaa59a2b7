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
import io.berth.netfilter.iptables.IptablesCommands;
import io.berth.netfilter.nftables.NftablesBackend;
import java.util.Optional;

/**
 * Where {@link ServiceProxy} gets its netfilter parts: the host's (libnftables and ctnetlink in
 * berth's own network namespace, or the iptables tools) in production, fakes in unit tests.
 */
public interface DataPlane {
  /** What works here: nftables, the iptables flavour, IPVS. */
  Detection detect() throws NetfilterException;

  /** The nftables back end (called only when {@link #detect()} chose nftables). */
  NetfilterBackend nftables() throws NetfilterException;

  /**
   * Whether the iptables tools of {@code flavour} work here (for {@code --proxy-mode iptables}).
   */
  Availability iptablesTools(IptablesMode.Flavour flavour);

  /** The iptables back end of {@code flavour} (its restore tools as child processes). */
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
        return IptablesCommands.probe(flavour, Optional.empty());
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
