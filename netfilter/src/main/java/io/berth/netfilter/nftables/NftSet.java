package io.berth.netfilter.nftables;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A named set or map in a berth table, with its elements.
 *
 * @param spec the body of the declaration, e.g. {@code type ipv4_addr . inet_proto . inet_service :
 *     verdict;}
 * @param elements key text to value text ({@code ""} for plain sets), sorted for stable output
 */
public record NftSet(
    String name, boolean map, String spec, String owner, SortedMap<String, Element> elements) {

  /** One element; {@code owner} names the service port it came from (for error reports). */
  public record Element(String value, String owner) {}

  public NftSet {
    elements = Collections.unmodifiableSortedMap(new TreeMap<>(elements));
  }

  String keyword() {
    return map ? "map" : "set";
  }

  /** Same declaration (name, kind, spec), ignoring elements. */
  boolean sameDeclaration(NftSet o) {
    return name.equals(o.name) && map == o.map && spec.equals(o.spec);
  }

  static String elementText(String key, Element e) {
    return e.value().isEmpty() ? key : key + " : " + e.value();
  }
}
