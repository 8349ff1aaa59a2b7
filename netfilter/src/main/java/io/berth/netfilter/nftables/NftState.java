package io.berth.netfilter.nftables;

import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What berth's tables hold after a sync, kept per service port so that the next sync renders only
 * the service ports that changed. Elements shared by several service ports (hairpin pairs of a pod
 * behind two services) are reference-counted and deleted only with their last user.
 *
 * <p>Thread safety: none; owned by the back end's thread.
 */
final class NftState {
  private final ProxyConfig config;
  private final int minPickChains;
  private final int pickChains;
  private final Map<IpFamily, FamilyState> families = new EnumMap<>(IpFamily.class);

  /** A reference-counted element value. */
  private record Ref(String value, String owner, int count) {}

  private static final class FamilyState {
    NftTable skeleton;
    final Map<ServicePortName, ServicePort> ports = new HashMap<>();
    final Map<ServicePortName, Fragment> fragments = new HashMap<>();
    final Map<String, Map<String, Ref>> refs = new HashMap<>();
  }

  /** A pending change: its transaction, and how to record it once the kernel accepted it. */
  record Change(Transaction transaction, Runnable commit) {}

  private NftState(ProxyConfig config, int minPickChains, int pickChains) {
    this.config = config;
    this.minPickChains = minPickChains;
    this.pickChains = pickChains;
  }

  /** Renders the whole model. */
  static NftState build(ServiceModel model, int minPickChains) {
    NftState s =
        new NftState(model.config(), minPickChains, NftRenderer.pickChains(model, minPickChains));
    for (IpFamily family : IpFamily.values()) {
      FamilyState fs = new FamilyState();
      fs.skeleton = NftRenderer.skeleton(model.config(), family, s.pickChains);
      s.families.put(family, fs);
    }
    for (ServicePort sp : model.ports()) {
      FamilyState fs = s.families.get(sp.family());
      Fragment f = NftRenderer.fragment(model.config(), sp);
      fs.ports.put(sp.name(), sp);
      fs.fragments.put(sp.name(), f);
      for (Fragment.Element e : f.elements()) {
        Map<String, Ref> set = fs.refs.computeIfAbsent(e.set(), k -> new HashMap<>());
        set.put(e.key(), increment(set.get(e.key()), e, f.owner()));
      }
    }
    return s;
  }

  /** The complete tables, IPv4 first (what a full sync writes). */
  List<NftTable> tables() {
    List<NftTable> out = new ArrayList<>();
    for (FamilyState fs : families.values()) {
      TreeMap<String, NftSet> sets = new TreeMap<>();
      TreeMap<String, NftChain> chains = new TreeMap<>(fs.skeleton.chains());
      for (NftSet s : fs.skeleton.sets().values()) {
        TreeMap<String, NftSet.Element> elements = new TreeMap<>(s.elements());
        fs.refs
            .getOrDefault(s.name(), Map.of())
            .forEach((k, r) -> elements.put(k, new NftSet.Element(r.value(), r.owner())));
        sets.put(s.name(), withElements(s, elements));
      }
      for (Fragment f : fs.fragments.values()) {
        chains.putAll(f.chains());
        sets.putAll(f.sets());
      }
      out.add(new NftTable(fs.skeleton.family(), fs.skeleton.name(), sets, chains));
    }
    return out;
  }

  /**
   * The transaction that turns this state into {@code next}, rendering only changed service ports.
   *
   * @throws FullSyncRequiredException when the shared skeleton would change (config, pick chains)
   */
  Change diff(ServiceModel next) {
    if (!next.config().equals(config)) {
      throw new FullSyncRequiredException("proxy configuration changed");
    }
    if (NftRenderer.pickChains(next, minPickChains) > pickChains) {
      throw new FullSyncRequiredException("a service outgrew the " + pickChains + " pick chains");
    }
    List<NftTable> before = new ArrayList<>();
    List<NftTable> after = new ArrayList<>();
    List<Runnable> commits = new ArrayList<>();
    for (IpFamily family : IpFamily.values()) {
      diffFamily(families.get(family), next.ports(family), before, after, commits);
    }
    return new Change(NftScript.diff(before, after), () -> commits.forEach(Runnable::run));
  }

  private void diffFamily(
      FamilyState fs,
      List<ServicePort> next,
      List<NftTable> before,
      List<NftTable> after,
      List<Runnable> commits) {
    Map<ServicePortName, Fragment> oldFragments = new HashMap<>();
    Map<ServicePortName, Fragment> newFragments = new HashMap<>();
    Map<ServicePortName, ServicePort> newPorts = new HashMap<>();
    int unchanged = 0;
    for (ServicePort sp : next) {
      ServicePort old = fs.ports.get(sp.name());
      if (old == sp || sp.equals(old)) {
        unchanged++;
        continue;
      }
      if (old != null) {
        oldFragments.put(sp.name(), fs.fragments.get(sp.name()));
      }
      newFragments.put(sp.name(), NftRenderer.fragment(config, sp));
      newPorts.put(sp.name(), sp);
    }
    if (unchanged + oldFragments.size() < fs.ports.size()) {
      java.util.Set<ServicePortName> present = new java.util.HashSet<>();
      next.forEach(sp -> present.add(sp.name()));
      for (ServicePortName name : fs.ports.keySet()) {
        if (!present.contains(name)) {
          oldFragments.put(name, fs.fragments.get(name));
        }
      }
    }
    // Element reference counts after the change, for the touched keys only.
    Map<String, Map<String, Ref>> overlay = new HashMap<>();
    for (Fragment f : oldFragments.values()) {
      for (Fragment.Element e : f.elements()) {
        Ref r = current(fs, overlay, e);
        put(overlay, e, r.count() == 1 ? null : new Ref(r.value(), r.owner(), r.count() - 1));
      }
    }
    for (Fragment f : newFragments.values()) {
      for (Fragment.Element e : f.elements()) {
        put(overlay, e, increment(current(fs, overlay, e), e, f.owner()));
      }
    }
    TreeMap<String, NftSet> setsBefore = new TreeMap<>();
    TreeMap<String, NftSet> setsAfter = new TreeMap<>();
    for (NftSet s : fs.skeleton.sets().values()) {
      TreeMap<String, NftSet.Element> was = new TreeMap<>();
      TreeMap<String, NftSet.Element> will = new TreeMap<>();
      overlay
          .getOrDefault(s.name(), Map.of())
          .forEach(
              (key, r) -> {
                Ref old = fs.refs.getOrDefault(s.name(), Map.of()).get(key);
                if (old != null) {
                  was.put(key, new NftSet.Element(old.value(), old.owner()));
                }
                if (r != null) {
                  will.put(key, new NftSet.Element(r.value(), r.owner()));
                }
              });
      setsBefore.put(s.name(), withElements(s, was));
      setsAfter.put(s.name(), withElements(s, will));
    }
    TreeMap<String, NftChain> chainsBefore = new TreeMap<>();
    TreeMap<String, NftChain> chainsAfter = new TreeMap<>();
    oldFragments
        .values()
        .forEach(
            f -> {
              chainsBefore.putAll(f.chains());
              setsBefore.putAll(f.sets());
            });
    newFragments
        .values()
        .forEach(
            f -> {
              chainsAfter.putAll(f.chains());
              setsAfter.putAll(f.sets());
            });
    String family = fs.skeleton.family();
    String name = fs.skeleton.name();
    before.add(new NftTable(family, name, setsBefore, chainsBefore));
    after.add(new NftTable(family, name, setsAfter, chainsAfter));
    commits.add(
        () -> {
          for (ServicePortName n : oldFragments.keySet()) {
            fs.ports.remove(n);
            fs.fragments.remove(n);
          }
          fs.ports.putAll(newPorts);
          fs.fragments.putAll(newFragments);
          overlay.forEach(
              (set, keys) -> {
                Map<String, Ref> target = fs.refs.computeIfAbsent(set, k -> new HashMap<>());
                keys.forEach(
                    (k, r) -> {
                      if (r == null) {
                        target.remove(k);
                      } else {
                        target.put(k, r);
                      }
                    });
              });
        });
  }

  private static Ref current(
      FamilyState fs, Map<String, Map<String, Ref>> overlay, Fragment.Element e) {
    Map<String, Ref> o = overlay.get(e.set());
    if (o != null && o.containsKey(e.key())) {
      return o.get(e.key());
    }
    return fs.refs.getOrDefault(e.set(), Map.of()).get(e.key());
  }

  private static void put(Map<String, Map<String, Ref>> overlay, Fragment.Element e, Ref r) {
    overlay.computeIfAbsent(e.set(), k -> new HashMap<>()).put(e.key(), r);
  }

  private static Ref increment(Ref r, Fragment.Element e, String owner) {
    if (r == null) {
      return new Ref(e.value(), owner, 1);
    }
    if (!r.value().equals(e.value())) {
      throw new IllegalArgumentException(
          "conflicting frontends: "
              + e.key()
              + " in "
              + e.set()
              + " claimed by "
              + r.owner()
              + " and "
              + owner);
    }
    return new Ref(r.value(), r.owner(), r.count() + 1);
  }

  private static NftSet withElements(NftSet s, TreeMap<String, NftSet.Element> elements) {
    return new NftSet(s.name(), s.map(), s.spec(), s.owner(), elements);
  }
}
