package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.BitSet;

/**
 * Service clusterIP (and nodePort) allocation from the service CIDR, as the API server's allocators
 * do: requested addresses must be free and in range; "None" makes a headless service. Called under
 * the store's lock.
 */
final class ServiceIpAllocator {
  private final int base;
  private final int size;
  private final BitSet used = new BitSet();
  private final BitSet usedNodePorts = new BitSet();

  /**
   * @param cidr an IPv4 CIDR such as 10.96.0.0/16
   */
  ServiceIpAllocator(String cidr) {
    String[] parts = cidr.split("/");
    this.base = toInt(parts[0]);
    this.size = 1 << (32 - Integer.parseInt(parts[1]));
    used.set(0);
    used.set(1);
    used.set(size - 1);
  }

  void allocate(ObjectNode service) {
    ObjectNode spec = service.with("spec");
    String name = service.path("metadata").path("name").asText();
    String type = spec.path("type").asText("ClusterIP");
    spec.put("type", type);
    if (!spec.has("sessionAffinity")) {
      spec.put("sessionAffinity", "None");
    }
    if (!type.equals("ExternalName")) {
      String requested = spec.path("clusterIP").asText("");
      String ip;
      if (requested.equals("None")) {
        ip = "None";
      } else if (requested.isEmpty()) {
        int offset = used.nextClearBit(10);
        if (offset >= size - 1) {
          throw ApiError.invalid(
              ApiResources.SERVICES, name, "spec.clusterIPs: Internal error: range is full");
        }
        used.set(offset);
        ip = toAddress(base + offset);
      } else {
        int offset = toInt(requested) - base;
        if (offset <= 0 || offset >= size - 1) {
          throw ApiError.invalid(
              ApiResources.SERVICES,
              name,
              "spec.clusterIPs: Invalid value: \""
                  + requested
                  + "\": provided IP is not in the valid range");
        }
        if (used.get(offset) && offset != 1) {
          throw ApiError.invalid(
              ApiResources.SERVICES,
              name,
              "spec.clusterIPs: Invalid value: \""
                  + requested
                  + "\": provided IP is already allocated");
        }
        used.set(offset);
        ip = requested;
      }
      spec.put("clusterIP", ip);
      spec.putArray("clusterIPs").add(ip);
      if (!ip.equals("None")) {
        spec.putArray("ipFamilies").add("IPv4");
        spec.put("ipFamilyPolicy", "SingleStack");
      }
      if (!spec.has("internalTrafficPolicy")) {
        spec.put("internalTrafficPolicy", "Cluster");
      }
    }
    for (JsonNode p : spec.path("ports")) {
      if (p instanceof ObjectNode port) {
        if (!port.has("protocol")) {
          port.put("protocol", "TCP");
        }
        if (!port.has("targetPort")) {
          port.set("targetPort", port.get("port"));
        }
        if ((type.equals("NodePort") || type.equals("LoadBalancer")) && !port.has("nodePort")) {
          int np = usedNodePorts.nextClearBit(0);
          usedNodePorts.set(np);
          port.put("nodePort", 30000 + np);
        }
      }
    }
    if ((type.equals("NodePort") || type.equals("LoadBalancer"))
        && !spec.has("externalTrafficPolicy")) {
      spec.put("externalTrafficPolicy", "Cluster");
    }
  }

  void release(ObjectNode service) {
    String ip = service.path("spec").path("clusterIP").asText("");
    if (!ip.isEmpty() && !ip.equals("None")) {
      int offset = toInt(ip) - base;
      if (offset > 1 && offset < size - 1) {
        used.clear(offset);
      }
    }
    for (JsonNode p : service.path("spec").path("ports")) {
      if (p.has("nodePort")) {
        usedNodePorts.clear(p.get("nodePort").asInt() - 30000);
      }
    }
  }

  private static int toInt(String address) {
    String[] o = address.split("\\.");
    if (o.length != 4) {
      throw ApiError.badRequest("not an IPv4 address: " + address);
    }
    int v = 0;
    for (String s : o) {
      v = (v << 8) | Integer.parseInt(s);
    }
    return v;
  }

  private static String toAddress(int v) {
    return ((v >>> 24) & 255)
        + "."
        + ((v >>> 16) & 255)
        + "."
        + ((v >>> 8) & 255)
        + "."
        + (v & 255);
  }
}
