package io.berth.netfilter.ipvs;

import io.berth.netfilter.NetfilterBackend;
import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.SyncMode;
import io.berth.netfilter.SyncResult;
import io.berth.netfilter.model.ServiceModel;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * kube-proxy's IPVS mode for the virtual-server part: each sync builds the {@link
 * VirtualServerSet}, dumps the kernel's virtual services (and the destinations of those it wants),
 * and sends the minimal list of {@link IpvsCommand}s: new/set/delete service, new/set/delete
 * destination. Virtual services berth did not create in this process are never deleted (kube-proxy
 * recognizes its own by the addresses bound to {@code kube-ipvs0}, which berth does not build).
 *
 * <p>Not atomic: IPVS has no transactions. A rejected command stops the sync with {@link
 * IpvsCommandFailedException} naming the command and its service; what was sent before stays, and
 * the next sync diffs against the kernel again. {@link SyncMode} does not change the work: every
 * sync diffs against a fresh dump, as kube-proxy's IPVS proxier does.
 *
 * <p>Unfinished (see netfilter/README.md): never run against a kernel with ip_vs; no VIP binding on
 * {@code kube-ipvs0}, no ipset/iptables rules for masquerading, node ports, no-endpoint rejects and
 * source ranges; no graceful termination (weight 0 then delete) of removed destinations.
 *
 * <p>Thread safety: calls are serialized.
 */
public final class IpvsBackend implements NetfilterBackend {
  private final IpvsChannel channel;
  private final Supplier<List<InetAddress>> nodeIps;
  private final LongSupplier nanoTime;
  private final Set<VirtualServer.Key> owned = new HashSet<>();

  /**
   * @param nodeIps this node's addresses for node-port virtual servers, read at every sync
   */
  public IpvsBackend(
      IpvsChannel channel, Supplier<List<InetAddress>> nodeIps, LongSupplier nanoTime) {
    this.channel = channel;
    this.nodeIps = nodeIps;
    this.nanoTime = nanoTime;
  }

  @Override
  public synchronized SyncResult sync(ServiceModel desired, SyncMode mode)
      throws NetfilterException {
    long start = nanoTime.getAsLong();
    VirtualServerSet want = VirtualServerSet.of(desired, nodeIps.get());
    List<IpvsCommand> plan = plan(want, channel, owned);
    long planned = nanoTime.getAsLong();
    owned.addAll(want.servers().keySet());
    apply(plan, want);
    owned.retainAll(want.servers().keySet());
    long done = nanoTime.getAsLong();
    return new SyncResult(
        mode, plan.size(), Duration.ofNanos(planned - start), Duration.ofNanos(done - planned));
  }

  /**
   * The commands that turn the kernel's table (read through {@code kernel}) into {@code want}: per
   * wanted virtual server in key order, {@code new-service} + its destinations, or {@code
   * set-service} when scheduler, flags, timeout or netmask differ, then {@code del-dest} for
   * destinations no longer wanted, {@code new-dest} / {@code set-dest} for missing or changed ones;
   * finally {@code del-service} for virtual servers in {@code owned} that are no longer wanted.
   */
  static List<IpvsCommand> plan(
      VirtualServerSet want, IpvsChannel kernel, Set<VirtualServer.Key> owned)
      throws NetfilterException {
    Map<VirtualServer.Key, VirtualServer> current = new TreeMap<>();
    for (VirtualServer vs : kernel.services()) {
      current.put(vs.key(), vs);
    }
    List<IpvsCommand> out = new ArrayList<>();
    for (VirtualServerSet.Entry e : want.servers().values()) {
      VirtualServer.Key key = e.service().key();
      VirtualServer now = current.get(key);
      if (now == null) {
        out.add(new IpvsCommand.NewService(e.service()));
        e.dests().forEach(d -> out.add(new IpvsCommand.NewDest(key, d)));
        continue;
      }
      if (!now.equals(e.service())) {
        out.add(new IpvsCommand.SetService(e.service()));
      }
      Map<String, RealServer> have = new TreeMap<>();
      for (RealServer d : kernel.destinations(key)) {
        have.put(d.endpoint(), d);
      }
      Map<String, RealServer> wanted = new HashMap<>();
      e.dests().forEach(d -> wanted.put(d.endpoint(), d));
      for (RealServer d : new TreeSet<>(have.values())) {
        if (!wanted.containsKey(d.endpoint())) {
          out.add(new IpvsCommand.DelDest(key, d));
        }
      }
      for (RealServer d : e.dests()) {
        RealServer h = have.get(d.endpoint());
        if (h == null) {
          out.add(new IpvsCommand.NewDest(key, d));
        } else if (!h.equals(d)) {
          out.add(new IpvsCommand.SetDest(key, d));
        }
      }
    }
    for (VirtualServer.Key key : current.keySet()) {
      if (owned.contains(key) && !want.servers().containsKey(key)) {
        out.add(new IpvsCommand.DelService(key));
      }
    }
    return out;
  }

  private void apply(List<IpvsCommand> plan, VirtualServerSet want) throws NetfilterException {
    for (IpvsCommand c : plan) {
      try {
        channel.apply(c);
      } catch (IpvsCommandFailedException e) {
        VirtualServerSet.Entry entry = want.servers().get(keyOf(c));
        throw new IpvsCommandFailedException(c, e.errno(), entry == null ? "" : entry.owner());
      }
    }
  }

  private static VirtualServer.Key keyOf(IpvsCommand c) {
    return switch (c) {
      case IpvsCommand.NewService s -> s.service().key();
      case IpvsCommand.SetService s -> s.service().key();
      case IpvsCommand.DelService s -> s.service();
      case IpvsCommand.NewDest d -> d.service();
      case IpvsCommand.SetDest d -> d.service();
      case IpvsCommand.DelDest d -> d.service();
      case IpvsCommand.Flush f -> null;
    };
  }

  /** Deletes the virtual servers this back end created; never flushes others'. */
  @Override
  public synchronized void cleanup() throws NetfilterException {
    for (VirtualServer vs : channel.services()) {
      if (owned.contains(vs.key())) {
        channel.apply(new IpvsCommand.DelService(vs.key()));
      }
    }
    owned.clear();
  }

  @Override
  public String describe() {
    return channel.describe() + ", scheduler " + VirtualServer.ROUND_ROBIN;
  }

  @Override
  public synchronized void close() {
    channel.close();
  }
}
