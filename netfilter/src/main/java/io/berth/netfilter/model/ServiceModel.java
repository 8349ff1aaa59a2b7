package io.berth.netfilter.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The complete desired state the proxier hands to a back end in one sync. */
public record ServiceModel(ProxyConfig config, List<ServicePort> ports) {
  public ServiceModel {
    List<ServicePort> sorted = new ArrayList<>(ports);
    sorted.sort(Comparator.comparing(ServicePort::name).thenComparing(ServicePort::family));
    for (int i = 1; i < sorted.size(); i++) {
      ServicePort a = sorted.get(i - 1);
      ServicePort b = sorted.get(i);
      if (a.name().equals(b.name()) && a.family() == b.family()) {
        throw new IllegalArgumentException("duplicate service port " + a.name() + " " + a.family());
      }
    }
    ports = List.copyOf(sorted);
  }

  public static ServiceModel of(ProxyConfig config, List<ServicePort> ports) {
    return new ServiceModel(config, ports);
  }

  public List<ServicePort> ports(IpFamily family) {
    return ports.stream().filter(p -> p.family() == family).toList();
  }
}
