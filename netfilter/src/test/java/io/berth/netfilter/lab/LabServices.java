package io.berth.netfilter.lab;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Cidr;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import io.berth.netfilter.model.TrafficPolicy;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The Service the back-end ITs program over a {@link NetnsLab}, and how they sample it. */
public final class LabServices {
  /** The ClusterIP of {@link #web}. */
  public static final String VIP = "10.96.0.10";

  private LabServices() {}

  /** Pod {@code i}'s httpd as a ready, local endpoint. */
  public static Endpoint pod(int i) {
    return Endpoint.ready(Addresses.parse(NetnsLab.podIp(i)), 8080, true);
  }

  /** default/web:http on {@link #VIP}:80 with node port 30080. */
  public static ServicePort web(List<Endpoint> eps) {
    return ServicePort.clusterIp(
            new ServicePortName("default", "web", "http"),
            Protocol.TCP,
            Addresses.parse(VIP),
            80,
            eps)
        .withNodePort(30080);
  }

  /** The load-balancer IP of {@link #loadBalancer}. */
  public static final String LB_IP = "198.51.100.7";

  /** {@link #web} with pod 1 and {@link #LB_IP} as its load-balancer IP, open to {@code ranges}. */
  public static ServicePort loadBalancer(String... ranges) {
    return web(List.of(pod(1)))
        .withExternal(List.of(), List.of(Addresses.parse(LB_IP)), TrafficPolicy.CLUSTER)
        .withLoadBalancerSourceRanges(java.util.Arrays.stream(ranges).map(Cidr::parse).toList());
  }

  public static ServiceModel model(ServicePort... ports) {
    return ServiceModel.of(ProxyConfig.defaults(), List.of(ports));
  }

  /** Bodies answered over {@code n} requests from {@code ns}; failures are reported as such. */
  public static Set<String> answers(NetnsLab lab, String ns, String url, int n) {
    Set<String> bodies = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      Sh.Result r = lab.http(ns, url);
      bodies.add(r.ok() ? r.out().strip() : "FAILED: " + r.err().strip());
    }
    return bodies;
  }
}
