package io.berth.netfilter.conntrack;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ServiceModel;
import java.net.InetAddress;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes conntrack entries that kube-proxy would delete after a Service or endpoint change, so
 * that UDP "connections" stop going to an endpoint that is gone (or stop being rejected once a
 * service has endpoints). See {@link StaleUdpFlows} for which flows are stale.
 *
 * <p>How: one dump of the family's table per call, matching in Java, then one {@code
 * IPCTNL_MSG_CT_DELETE} per matching entry naming its tuple, zone and id. (The kernel cannot delete
 * by a partial tuple: a delete with a tuple is an exact lookup and one without is a flush.) An
 * entry that expires between dump and delete is not counted and not an error.
 *
 * <p>Thread safety: as safe as the {@link ConntrackTable}; {@link NetlinkConntrackTable} serializes
 * calls on its owner thread.
 */
public final class ConntrackCleaner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConntrackCleaner.class);
  private final ConntrackTable table;

  public ConntrackCleaner(ConntrackTable table) {
    this.table = Objects.requireNonNull(table, "table");
  }

  /** Flows whose original destination is {@code ip:port}. */
  public int deleteByOriginalDestination(
      IpFamily family, Protocol protocol, InetAddress ip, int port) throws ConntrackException {
    requireFamily(family, ip, "destination");
    return delete(List.of(FlowFilter.toDestination(protocol, ip, port)));
  }

  /**
   * Flows to {@code serviceIp:servicePort} whose reply comes from {@code endpointIp}, i.e. that
   * were DNATed to that endpoint (kube-proxy's {@code --orig-dst --orig-port-dst --reply-src}).
   */
  public int deleteByOriginalDestinationAndReplySource(
      IpFamily family,
      Protocol protocol,
      InetAddress serviceIp,
      int servicePort,
      InetAddress endpointIp)
      throws ConntrackException {
    requireFamily(family, serviceIp, "service IP");
    requireFamily(family, endpointIp, "endpoint IP");
    return delete(
        List.of(FlowFilter.toDestinationViaEndpoint(protocol, serviceIp, servicePort, endpointIp)));
  }

  /** Flows to node port {@code port} on any address of the node. */
  public int deleteByNodePort(IpFamily family, Protocol protocol, int port)
      throws ConntrackException {
    return delete(List.of(FlowFilter.toNodePort(family, protocol, port)));
  }

  /** Flows to node port {@code port} that were DNATed to {@code endpointIp}. */
  public int deleteByNodePortAndReplySource(
      IpFamily family, Protocol protocol, int port, InetAddress endpointIp)
      throws ConntrackException {
    requireFamily(family, endpointIp, "endpoint IP");
    return delete(List.of(FlowFilter.toNodePortViaEndpoint(protocol, port, endpointIp)));
  }

  /** Deletes the flows of a model change ({@link StaleUdpFlows#between}). */
  public int deleteStale(Collection<StaleFlow> stale) throws ConntrackException {
    return delete(stale.stream().map(StaleFlow::filter).toList());
  }

  /**
   * Deletes every UDP entry that the current model says is stale ({@link
   * StaleUdpFlows#staleEntries}): one dump per family, whatever happened before. Use it at start-up
   * and periodically; {@link #deleteStale} is the cheaper per-change path.
   *
   * @return the number of entries deleted
   */
  public int reconcile(ServiceModel current) throws ConntrackException {
    int deleted = 0;
    for (IpFamily family : IpFamily.values()) {
      if (current.ports(family).isEmpty()) {
        continue;
      }
      List<ConntrackEntry> entries;
      try {
        entries = table.dump(family);
      } catch (ConntrackException e) {
        throw e.withFilter("reconcile " + family, "listing entries to match");
      }
      for (StaleUdpFlows.StaleEntry stale : StaleUdpFlows.staleEntries(current, entries)) {
        try {
          if (table.delete(stale.entry())) {
            deleted++;
            log.debug("deleted conntrack entry {} ({})", stale.entry(), stale.why());
          }
        } catch (ConntrackException ex) {
          throw ex.withFilter(
              "reconcile " + family + ", " + stale.why(),
              "deleting " + stale.entry() + "; " + deleted + " deleted");
        }
      }
    }
    return deleted;
  }

  /**
   * Deletes every entry matched by any of {@code filters}: one dump per family that a filter names,
   * however many filters.
   *
   * @return the number of entries deleted
   */
  public int delete(Collection<FlowFilter> filters) throws ConntrackException {
    Map<IpFamily, TreeSet<FlowFilter>> byFamily = new EnumMap<>(IpFamily.class);
    for (FlowFilter f : filters) {
      byFamily.computeIfAbsent(f.family(), k -> new TreeSet<>()).add(f);
    }
    int deleted = 0;
    for (Map.Entry<IpFamily, TreeSet<FlowFilter>> e : byFamily.entrySet()) {
      deleted += deleteInFamily(e.getKey(), e.getValue());
    }
    return deleted;
  }

  private int deleteInFamily(IpFamily family, TreeSet<FlowFilter> filters)
      throws ConntrackException {
    List<ConntrackEntry> entries;
    try {
      entries = table.dump(family);
    } catch (ConntrackException e) {
      throw e.withFilter(describe(filters), "listing entries to match");
    }
    int deleted = 0;
    for (ConntrackEntry entry : entries) {
      FlowFilter match = firstMatch(filters, entry);
      if (match == null) {
        continue;
      }
      try {
        if (table.delete(entry)) {
          deleted++;
          log.debug("deleted conntrack entry {} ({})", entry, match);
        }
      } catch (ConntrackException ex) {
        throw ex.withFilter(match.toString(), "deleting " + entry + "; " + deleted + " deleted");
      }
    }
    log.debug(
        "{} conntrack entries deleted in {} for {}", deleted, table.describe(), describe(filters));
    return deleted;
  }

  private static FlowFilter firstMatch(TreeSet<FlowFilter> filters, ConntrackEntry entry) {
    for (FlowFilter f : filters) {
      if (f.matches(entry)) {
        return f;
      }
    }
    return null;
  }

  private static String describe(Collection<FlowFilter> filters) {
    return filters.size() == 1
        ? filters.iterator().next().toString()
        : filters.size() + " filters, first " + filters.iterator().next();
  }

  private static void requireFamily(IpFamily family, InetAddress a, String what) {
    if (IpFamily.of(a) != family) {
      throw new IllegalArgumentException(what + " " + Addresses.text(a) + " is not " + family);
    }
  }

  public String describe() {
    return table.describe();
  }

  @Override
  public void close() {
    table.close();
  }
}
