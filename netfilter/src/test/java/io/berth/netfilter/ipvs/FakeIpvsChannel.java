package io.berth.netfilter.ipvs;

import io.berth.netfilter.NetfilterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An in-memory IPVS table with the kernel's answers for the cases berth meets: it records every
 * command (as its golden line), encodes each one (so every planned command is encodable), and
 * answers EEXIST / ESRCH / ENOENT as {@code ip_vs_ctl.c} does. {@link #failOn} makes the next
 * matching command fail.
 */
final class FakeIpvsChannel implements IpvsChannel {
  private static final int ESRCH = 3;
  private static final int ENOENT = 2;
  private static final int EEXIST = 17;

  final Map<VirtualServer.Key, VirtualServer> services = new TreeMap<>();
  final Map<VirtualServer.Key, Map<String, RealServer>> dests = new TreeMap<>();
  final List<String> log = new ArrayList<>();
  private String failOn;
  int dumps;

  /** Makes the first command whose golden line starts with {@code prefix} fail with EINVAL. */
  void failOn(String prefix) {
    failOn = prefix;
  }

  /** The recorded commands since the last call, one per line. */
  String drain() {
    String out = String.join("\n", log);
    log.clear();
    return out;
  }

  /** A virtual server someone else (not berth) made. */
  void foreign(VirtualServer vs, RealServer... ds) {
    services.put(vs.key(), vs);
    Map<String, RealServer> m = new TreeMap<>();
    for (RealServer d : ds) {
      m.put(d.endpoint(), d);
    }
    dests.put(vs.key(), m);
  }

  @Override
  public List<VirtualServer> services() {
    dumps++;
    return List.copyOf(services.values());
  }

  @Override
  public List<RealServer> destinations(VirtualServer.Key service) throws NetfilterException {
    dumps++;
    Map<String, RealServer> m = dests.get(service);
    if (m == null) {
      throw new GenlException("IPVS_CMD_GET_DEST dump of " + service, ESRCH);
    }
    return List.copyOf(m.values());
  }

  @Override
  public void apply(IpvsCommand c) throws NetfilterException {
    IpvsMessages.encode(c, 0x24, log.size() + 1);
    if (failOn != null && c.toString().startsWith(failOn)) {
      failOn = null;
      throw new IpvsCommandFailedException(c, 22, "");
    }
    switch (c) {
      case IpvsCommand.NewService s -> {
        require(!services.containsKey(s.service().key()), c, EEXIST);
        services.put(s.service().key(), s.service());
        dests.put(s.service().key(), new TreeMap<>());
      }
      case IpvsCommand.SetService s -> {
        require(services.containsKey(s.service().key()), c, ESRCH);
        services.put(s.service().key(), s.service());
      }
      case IpvsCommand.DelService s -> {
        require(services.remove(s.service()) != null, c, ESRCH);
        dests.remove(s.service());
      }
      case IpvsCommand.NewDest d -> {
        require(dests.containsKey(d.service()), c, ESRCH);
        require(
            dests.get(d.service()).putIfAbsent(d.dest().endpoint(), d.dest()) == null, c, EEXIST);
      }
      case IpvsCommand.SetDest d -> {
        require(dests.containsKey(d.service()), c, ESRCH);
        require(dests.get(d.service()).replace(d.dest().endpoint(), d.dest()) != null, c, ENOENT);
      }
      case IpvsCommand.DelDest d -> {
        require(dests.containsKey(d.service()), c, ESRCH);
        require(dests.get(d.service()).remove(d.dest().endpoint()) != null, c, ENOENT);
      }
      case IpvsCommand.Flush f -> {
        services.clear();
        dests.clear();
      }
    }
    log.add(c.toString());
  }

  private static void require(boolean ok, IpvsCommand c, int errno)
      throws IpvsCommandFailedException {
    if (!ok) {
      throw new IpvsCommandFailedException(c, errno, "");
    }
  }

  @Override
  public String describe() {
    return "fake IPVS";
  }

  @Override
  public void close() {}
}
