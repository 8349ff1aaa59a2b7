package io.berth.netfilter.model;

import java.util.ArrayList;
import java.util.List;

/** Small builders for service models used across tests. */
public final class Fixtures {
  private Fixtures() {}

  public static ServicePortName name(String ns, String svc) {
    return new ServicePortName(ns, svc, "http");
  }

  public static List<Endpoint> ready(int port, String... addresses) {
    List<Endpoint> eps = new ArrayList<>();
    for (String a : addresses) {
      eps.add(Endpoint.ready(Addresses.parse(a), port, true));
    }
    return eps;
  }

  public static ServicePort clusterIp(String svc, String vip, int port, List<Endpoint> eps) {
    return ServicePort.clusterIp(
        name("default", svc), Protocol.TCP, Addresses.parse(vip), port, eps);
  }

  public static ServiceModel model(ServicePort... ports) {
    return ServiceModel.of(ProxyConfig.defaults(), List.of(ports));
  }
}
