package io.berth.netfilter.nftables;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Cidr;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.EndpointSelection;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.SessionAffinity;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Turns the desired {@link ServiceModel} into berth's nftables tables. The shape keeps the
 * per-service variability in <em>data</em> (map and set elements) and shares a constant handful of
 * rules among all services; see the module README for the measurements behind it.
 *
 * <pre>
 *  nat-prerouting / nat-output (prio -100) ── jump services
 *  services:  mark masquerade  if  daddr.proto.dport ∈ @masq-frontends
 *             mark masquerade  if  saddr ∉ @cluster-cidrs and daddr.proto.dport ∈ @cluster-frontends
 *             daddr.proto.dport  vmap @service-ips        ──goto──▶ vip-pick-N | svc-…-affinity
 *             local daddr: proto.dport  (masq mark, vmap @service-nodeports) ──goto──▶ np-pick-N
 *  vip-pick-N: dnat to  daddr.proto.dport.(numgen random mod N)  map @vip-backends
 *  np-pick-N:  dnat to  proto.dport.(numgen random mod N)        map @nodeport-backends
 *  filter-prerouting/output (prio -110, before DNAT): LB frontends in @firewall-frontends drop
 *             sources outside @firewall-allowed (loadBalancerSourceRanges)
 *  filter-input/forward/output (prio -110): new conns to @no-endpoint-* → reject | drop
 *  ClientIP affinity services only: per-endpoint dynamic sets and chains, as kube-proxy does
 *  nat-postrouting: hairpin (saddr.daddr ∈ @hairpin) → mark; mark → masquerade
 * </pre>
 *
 * <p>Thread safety: stateless; safe from any thread.
 */
public final class NftRenderer {
  /** berth's table name in both families. */
  public static final String TABLE = "berth";

  private static final String L4 = "meta l4proto { tcp, udp, sctp }";

  private NftRenderer() {}

  /**
   * Pick chains ({@code vip-pick-N}, {@code np-pick-N}) exist for every N from 1 to at least this
   * many endpoints, so that an endpoint change never has to add a rule: libnftables 1.0.6 cannot
   * add a rule that looks up a {@code typeof} map it has to read back from the kernel (it rebuilds
   * {@code ip daddr . th dport} without protocol context and fails with "conflicting protocols").
   * 32 chains per kind cost about 4 ms to load; beyond that the count doubles as needed.
   */
  public static final int DEFAULT_PICK_CHAINS = 32;

  /** Both berth tables ({@code ip berth}, {@code ip6 berth}) for the model, IPv4 first. */
  public static List<NftTable> render(ServiceModel model) {
    return render(model, DEFAULT_PICK_CHAINS);
  }

  /** As {@link #render(ServiceModel)} with at least {@code minPickChains} pick chains per kind. */
  public static List<NftTable> render(ServiceModel model, int minPickChains) {
    return NftState.build(model, minPickChains).tables();
  }

  /** The empty tables, as {@link #render} would produce for a model without services. */
  public static List<NftTable> emptyTables(ProxyConfig config) {
    return render(ServiceModel.of(config, List.of()), 1);
  }

  private static NftTable table(ProxyConfig cfg, IpFamily family, int pickChains) {
    Family f = new Family(family);
    TableBuilder t = new TableBuilder(f);
    String mark = "meta mark set meta mark | " + hex(cfg.masqueradeMark());
    List<Cidr> cidrs = cfg.clusterCidrs(family);

    t.set("hairpin", "type " + f.addr + " . " + f.addr + ";");
    t.set("masq-frontends", "type " + f.vipKey() + ";");
    t.set("masq-nodeports", "type inet_proto . inet_service;");
    t.map("service-ips", "type " + f.vipKey() + " : verdict;");
    t.map("service-nodeports", "type inet_proto . inet_service : verdict;");
    t.map("no-endpoint-services", "type " + f.vipKey() + " : verdict;");
    t.map("no-endpoint-nodeports", "type inet_proto . inet_service : verdict;");
    t.set("firewall-frontends", "type " + f.vipKey() + ";");
    t.set("firewall-allowed", "type " + f.vipKey() + " . " + f.addr + "; flags interval;");
    t.map(
        "vip-backends",
        "typeof "
            + f.p
            + " daddr . meta l4proto . th dport . numgen random mod 1 : "
            + f.p
            + " daddr . th dport;");
    t.map(
        "nodeport-backends",
        "typeof meta l4proto . th dport . numgen random mod 1 : " + f.p + " daddr . th dport;");

    List<String> services = new ArrayList<>();
    services.add(f.vip() + " @masq-frontends " + mark);
    if (!cidrs.isEmpty()) {
      t.set("cluster-cidrs", "type " + f.addr + "; flags interval;");
      t.set("cluster-frontends", "type " + f.vipKey() + ";");
      for (Cidr c : cidrs) {
        t.element("cluster-cidrs", c.toString(), "", "");
      }
      services.add(f.p + " saddr != @cluster-cidrs " + f.vip() + " @cluster-frontends " + mark);
    }
    services.add(f.vip() + " vmap @service-ips");
    String local = "fib daddr type local " + f.p + " daddr != " + f.loopback + " ";
    List<Cidr> nodePortCidrs = cfg.nodePortAddresses(family);
    if (!nodePortCidrs.isEmpty()) {
      t.set("nodeport-addresses", "type " + f.addr + "; flags interval;");
      for (Cidr c : nodePortCidrs) {
        t.element("nodeport-addresses", c.toString(), "", "");
      }
      local += f.p + " daddr @nodeport-addresses ";
    }
    services.add(local + "meta l4proto . th dport @masq-nodeports " + mark);
    services.add(local + "meta l4proto . th dport vmap @service-nodeports");
    t.chain("services", "", services, "");
    t.chain("nat-prerouting", nat("prerouting", -100), List.of("jump services"), "");
    t.chain("nat-output", nat("output", -100), List.of("jump services"), "");
    String record =
        "ct status dnat ct original "
            + f.p
            + " daddr . meta l4proto . ct original"
            + " proto-dst vmap @affinity-ips";
    String recordNp =
        "ct status dnat meta l4proto . ct original proto-dst vmap @affinity-nodeports";
    t.chain(
        "nat-postrouting",
        nat("postrouting", 100),
        List.of(
            "ct status dnat " + f.p + " saddr . " + f.p + " daddr @hairpin " + mark,
            "meta mark & " + hex(cfg.masqueradeMark()) + " == 0 return",
            "meta mark set meta mark ^ " + hex(cfg.masqueradeMark()),
            "masquerade fully-random"),
        "");
    String noEp = "ct state new " + f.vip() + " vmap @no-endpoint-services";
    String noEpNp = "ct state new " + local + "meta l4proto . th dport vmap @no-endpoint-nodeports";
    // loadBalancerSourceRanges, before DNAT: a load-balancer frontend with ranges drops every
    // source outside them
    String firewall =
        f.vip()
            + " @firewall-frontends "
            + f.vip()
            + " . "
            + f.p
            + " saddr != @firewall-allowed drop";
    t.chain("filter-prerouting", filter("prerouting"), List.of(firewall), "");
    t.chain("filter-input", filter("input"), List.of(noEpNp, noEp), "");
    t.chain("filter-forward", filter("forward"), List.of(noEp), "");
    t.chain("filter-output", filter("output"), List.of(firewall, noEpNp, noEp), "");
    t.chain("reject-chain", "", List.of("reject"), "");
    for (int n = 1; n <= pickChains; n++) {
      t.chain(
          "vip-pick-" + n,
          "",
          List.of(
              L4
                  + " dnat "
                  + f.p
                  + " to "
                  + f.p
                  + " daddr . "
                  + "meta l4proto . th dport . numgen random mod "
                  + n
                  + " map @vip-backends"),
          "");
      t.chain(
          "np-pick-" + n,
          "",
          List.of(
              L4
                  + " dnat "
                  + f.p
                  + " to meta l4proto . th dport . "
                  + "numgen random mod "
                  + n
                  + " map @nodeport-backends"),
          "");
    }

    return t.build();
  }

  /** berth's shared chains and sets for one family, without any service's elements. */
  static NftTable skeleton(ProxyConfig cfg, IpFamily family, int pickChains) {
    return table(cfg, family, pickChains);
  }

  /** What one service port adds to its family's table. */
  static Fragment fragment(ProxyConfig cfg, ServicePort sp) {
    Fragment.Builder b = new Fragment.Builder(sp.name() + " " + sp.family());
    servicePort(cfg, new Family(sp.family()), b, sp);
    return b.build();
  }

  /** Pick chains needed per kind: {@code min}, doubled until it covers every service. */
  static int pickChains(ServiceModel model, int min) {
    int maxEndpoints = model.ports().stream().mapToInt(p -> p.endpoints().size()).max().orElse(0);
    int n = Math.max(1, min);
    while (n < maxEndpoints) {
      n *= 2;
    }
    return n;
  }

  private static void servicePort(ProxyConfig cfg, Family f, Sink t, ServicePort sp) {
    String owner = sp.name() + " " + sp.family();
    String proto = sp.protocol().nftName();
    List<Endpoint> internal =
        EndpointSelection.select(sp.endpoints(), sp.internalTrafficPolicy(), cfg.nodeZone());
    List<Endpoint> external =
        EndpointSelection.select(sp.endpoints(), sp.externalTrafficPolicy(), cfg.nodeZone());
    String noEndpoints =
        EndpointSelection.hasAnyUsable(sp.endpoints()) ? "drop" : "goto reject-chain";
    boolean externalMasq =
        cfg.masqueradeAll()
            || sp.externalTrafficPolicy() == io.berth.netfilter.model.TrafficPolicy.CLUSTER;
    String id = sp.name().namespace() + "/" + sp.name().name() + "/" + proto + "/" + sp.port();
    boolean affinity = sp.affinity() instanceof SessionAffinity.ClientIp;
    if (sp.affinity() instanceof SessionAffinity.ClientIp(var timeout)) {
      // kube-proxy's shape, only for ClientIP services: one dynamic set of client addresses per
      // endpoint, refreshed on every new connection; removing an endpoint drops only its clients.
      for (Endpoint e : sp.endpoints()) {
        String set = affinitySet(id, e);
        t.dynamicSet(
            set,
            "type " + f.addr + "; flags dynamic,timeout; timeout " + timeout.toSeconds() + "s;",
            owner);
        t.chain(
            affinityEndpointChain(id, e),
            "",
            List.of(
                "update @" + set + " { " + f.p + " saddr }",
                "meta l4proto " + proto + " dnat " + f.p + " to " + f.endpointTarget(e)),
            owner);
      }
    }
    List<InetAddress> externalVips = new ArrayList<>(sp.externalIps());
    externalVips.addAll(sp.loadBalancerIps());
    for (InetAddress ip : sp.clusterIps()) {
      String key = Addresses.text(ip) + " . " + proto + " . " + sp.port();
      frontend(f, t, owner, id, affinity, "cluster", key, "vip", internal, noEndpoints);
      if (!cfg.clusterCidrs(sp.family()).isEmpty()) {
        t.element("cluster-frontends", key, "", owner);
      }
      if (cfg.masqueradeAll()) {
        t.element("masq-frontends", key, "", owner);
      }
    }
    for (InetAddress ip : externalVips) {
      String key = Addresses.text(ip) + " . " + proto + " . " + sp.port();
      frontend(f, t, owner, id, affinity, "external", key, "vip", external, noEndpoints);
      if (externalMasq) {
        t.element("masq-frontends", key, "", owner);
      }
    }
    if (!sp.loadBalancerSourceRanges().isEmpty()) {
      for (InetAddress ip : sp.loadBalancerIps()) {
        String key = Addresses.text(ip) + " . " + proto + " . " + sp.port();
        t.element("firewall-frontends", key, "", owner);
        for (Cidr c : sp.loadBalancerSourceRanges()) {
          t.element("firewall-allowed", key + " . " + c, "", owner);
        }
        t.element("firewall-allowed", key + " . " + Addresses.text(ip), "", owner);
      }
    }
    if (sp.nodePort() != 0) {
      String key = proto + " . " + sp.nodePort();
      frontend(f, t, owner, id, affinity, "nodeport", key, "np", external, noEndpoints);
      if (externalMasq) {
        t.element("masq-nodeports", key, "", owner);
      }
    }
    // Hairpin (a pod reaching itself through its service) needs SNAT. Only an endpoint on this
    // node can be its own client here, so only local endpoints get a (self . self) element.
    for (Endpoint e : sp.endpoints()) {
      if (e.local()) {
        String a = Addresses.text(e.address());
        t.element("hairpin", a + " . " + a, "", owner);
      }
    }
  }

  /** One frontend (a VIP or the node port): dispatch element, backend elements, affinity. */
  private static void frontend(
      Family f,
      Sink t,
      String owner,
      String id,
      boolean affinity,
      String group,
      String key,
      String kind,
      List<Endpoint> endpoints,
      String noEndpoints) {
    boolean np = kind.equals("np");
    if (endpoints.isEmpty()) {
      t.element(np ? "no-endpoint-nodeports" : "no-endpoint-services", key, noEndpoints, owner);
      return;
    }
    int n = endpoints.size();
    String pick = kind + "-pick-" + n;
    String backends = np ? "nodeport-backends" : "vip-backends";
    for (int i = 0; i < n; i++) {
      Endpoint e = endpoints.get(i);
      t.element(backends, key + " . " + i, f.endpoint(e), owner);
    }
    String target = pick;
    if (affinity) {
      target = "affinity-" + id + "-" + group;
      List<String> rules = new ArrayList<>();
      List<String> picks = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Endpoint e = endpoints.get(i);
        rules.add(f.p + " saddr @" + affinitySet(id, e) + " goto " + affinityEndpointChain(id, e));
        picks.add(i + " : goto " + affinityEndpointChain(id, e));
      }
      rules.add("numgen random mod " + n + " vmap { " + String.join(", ", picks) + " }");
      t.chain(target, "", rules, owner);
    }
    t.element(np ? "service-nodeports" : "service-ips", key, "goto " + target, owner);
  }

  private static String affinitySet(String id, Endpoint e) {
    return "affinity-" + id + "-" + endpointId(e);
  }

  private static String affinityEndpointChain(String id, Endpoint e) {
    return "affinity-" + id + "-ep-" + endpointId(e);
  }

  /** An endpoint as an nft identifier fragment ({@code :} is not allowed in names). */
  private static String endpointId(Endpoint e) {
    return Addresses.text(e.address()).replace(':', '_') + "-" + e.port();
  }

  private static String nat(String hook, int priority) {
    return "type nat hook " + hook + " priority " + priority + "; policy accept;";
  }

  private static String filter(String hook) {
    return "type filter hook " + hook + " priority -110; policy accept;";
  }

  private static String hex(int v) {
    return "0x" + Integer.toHexString(v);
  }

  /** Family-specific spellings. */
  private static final class Family {
    final String p;
    final String addr;
    final String loopback;

    Family(IpFamily family) {
      p = family.nftFamily();
      addr = family == IpFamily.IPV4 ? "ipv4_addr" : "ipv6_addr";
      loopback = family == IpFamily.IPV4 ? "127.0.0.0/8" : "::1";
    }

    String vipKey() {
      return addr + " . inet_proto . inet_service";
    }

    String vip() {
      return p + " daddr . meta l4proto . th dport";
    }

    /** {@code 10.0.1.2:8080} / {@code [fd00::2]:8080}, as a dnat target. */
    String endpointTarget(Endpoint e) {
      String a = Addresses.text(e.address());
      return (p.equals("ip6") ? "[" + a + "]" : a) + ":" + e.port();
    }

    String endpoint(Endpoint e) {
      return Addresses.text(e.address()) + " . " + e.port();
    }
  }

  /** Collects sets, chains and elements; chains with the same name must be identical. */
  /** Where rendering writes chains, sets and elements. */
  interface Sink {
    void chain(String name, String hook, List<String> rules, String owner);

    void element(String set, String key, String value, String owner);

    void dynamicSet(String name, String spec, String owner);
  }

  private static final class TableBuilder implements Sink {
    private final Family f;
    private final TreeMap<String, NftChain> chains = new TreeMap<>();
    private final TreeMap<String, SetBuilder> sets = new TreeMap<>();

    TableBuilder(Family f) {
      this.f = f;
    }

    void set(String name, String spec) {
      sets.put(name, new SetBuilder(name, false, spec, ""));
    }

    void map(String name, String spec) {
      sets.put(name, new SetBuilder(name, true, spec, ""));
    }

    @Override
    public void dynamicSet(String name, String spec, String owner) {
      sets.put(name, new SetBuilder(name, false, spec, owner));
    }

    @Override
    public void chain(String name, String hook, List<String> rules, String owner) {
      NftChain c = new NftChain(name, hook, rules, owner);
      NftChain old = chains.putIfAbsent(name, c);
      if (old != null && !old.equals(c)) {
        throw new IllegalStateException("two definitions of chain " + name + ": " + old + ", " + c);
      }
    }

    @Override
    public void element(String set, String key, String value, String owner) {
      SetBuilder s = sets.get(set);
      NftSet.Element old = s.elements.putIfAbsent(key, new NftSet.Element(value, owner));
      if (old != null && !old.value().equals(value)) {
        throw new IllegalArgumentException(
            "conflicting frontends: "
                + key
                + " in "
                + set
                + " claimed by "
                + old.owner()
                + " and "
                + owner);
      }
    }

    NftTable build() {
      TreeMap<String, NftSet> built = new TreeMap<>();
      sets.forEach((n, s) -> built.put(n, new NftSet(n, s.map, s.spec, s.owner, s.elements)));
      return new NftTable(f.p, TABLE, built, chains);
    }
  }

  private record SetBuilder(
      String name,
      boolean map,
      String spec,
      String owner,
      TreeMap<String, NftSet.Element> elements) {
    SetBuilder(String name, boolean map, String spec, String owner) {
      this(name, map, spec, owner, new TreeMap<>());
    }
  }
}
