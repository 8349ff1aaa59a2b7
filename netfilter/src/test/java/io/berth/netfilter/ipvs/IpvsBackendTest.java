package io.berth.netfilter.ipvs;

import static io.berth.netfilter.model.Addresses.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.SyncMode;
import io.berth.netfilter.SyncResult;
import io.berth.netfilter.model.Cidr;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import io.berth.netfilter.model.SessionAffinity;
import io.berth.netfilter.model.TrafficPolicy;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link IpvsBackend} against {@link FakeIpvsChannel}: the golden command sequence of each sync
 * (first sync, endpoint added/removed, affinity timeout changed, service removed), and that virtual
 * servers berth did not make are never touched.
 */
class IpvsBackendTest {
  private static final ServicePortName WEB = new ServicePortName("default", "web", "http");
  private static final ServicePortName DNS = new ServicePortName("kube-system", "dns", "dns");
  private static final List<InetAddress> NODE_IPS =
      List.of(parse("192.168.1.5"), parse("127.0.0.1"), parse("fd00::5"));

  private final FakeIpvsChannel kernel = new FakeIpvsChannel();
  private final IpvsBackend backend = new IpvsBackend(kernel, () -> NODE_IPS, System::nanoTime);

  private static Endpoint ep(String ip, int port) {
    return Endpoint.ready(parse(ip), port, false);
  }

  private static ServicePort web(List<Endpoint> eps) {
    return ServicePort.clusterIp(WEB, Protocol.TCP, parse("10.96.0.10"), 80, eps)
        .withNodePort(30080)
        .withExternal(
            List.of(parse("192.0.2.10")), List.of(parse("198.51.100.7")), TrafficPolicy.CLUSTER);
  }

  private static ServicePort dns(SessionAffinity affinity) {
    return ServicePort.clusterIp(
            DNS, Protocol.UDP, parse("fd00:10:96::a"), 53, List.of(ep("fd00:10:244:1::5", 5353)))
        .withAffinity(affinity);
  }

  private static ServiceModel model(ServicePort... ports) {
    return ServiceModel.of(ProxyConfig.defaults(), List.of(ports));
  }

  private static final List<Endpoint> TWO = List.of(ep("10.0.1.2", 8080), ep("10.0.1.3", 8080));

  private String sync(ServiceModel m) throws NetfilterException {
    SyncResult r = backend.sync(m, SyncMode.INCREMENTAL);
    String out = kernel.drain();
    assertThat(r.commandLines()).isEqualTo(out.isEmpty() ? 0 : out.split("\n").length);
    return out;
  }

  private static String lines(String... l) {
    return String.join("\n", l);
  }

  private static String each(String format) {
    List<String> out = new ArrayList<>();
    for (String vs :
        List.of("10.96.0.10:80", "192.0.2.10:80", "192.168.1.5:30080", "198.51.100.7:80")) {
      out.add(format.formatted(vs));
    }
    return String.join("\n", out);
  }

  @Test
  void firstSyncMakesEveryFrontendAVirtualServerWithItsEndpoints() throws Exception {
    assertThat(sync(model(web(TWO), dns(SessionAffinity.clientIp()))))
        .isEqualTo(
            lines(
                "new-service tcp 10.96.0.10:80 rr",
                "new-dest tcp 10.96.0.10:80 -> 10.0.1.2:8080 masq weight 1",
                "new-dest tcp 10.96.0.10:80 -> 10.0.1.3:8080 masq weight 1",
                "new-service tcp 192.0.2.10:80 rr",
                "new-dest tcp 192.0.2.10:80 -> 10.0.1.2:8080 masq weight 1",
                "new-dest tcp 192.0.2.10:80 -> 10.0.1.3:8080 masq weight 1",
                // node port: one virtual server per node IP of the family, loopback excluded
                "new-service tcp 192.168.1.5:30080 rr",
                "new-dest tcp 192.168.1.5:30080 -> 10.0.1.2:8080 masq weight 1",
                "new-dest tcp 192.168.1.5:30080 -> 10.0.1.3:8080 masq weight 1",
                "new-service tcp 198.51.100.7:80 rr",
                "new-dest tcp 198.51.100.7:80 -> 10.0.1.2:8080 masq weight 1",
                "new-dest tcp 198.51.100.7:80 -> 10.0.1.3:8080 masq weight 1",
                "new-service udp [fd00:10:96:0:0:0:0:a]:53 rr persistent 10800s",
                "new-dest udp [fd00:10:96:0:0:0:0:a]:53 -> [fd00:10:244:1:0:0:0:5]:5353 masq"
                    + " weight 1"));
    // the same model again: nothing to send, after one service dump and one dest dump per server
    kernel.dumps = 0;
    assertThat(sync(model(web(TWO), dns(SessionAffinity.clientIp())))).isEmpty();
    assertThat(kernel.dumps).isEqualTo(1 + 5);
  }

  @Test
  void endpointAddedThenRemovedTouchesOnlyThatDestination() throws Exception {
    sync(model(web(TWO)));
    List<Endpoint> three =
        List.of(ep("10.0.1.2", 8080), ep("10.0.1.3", 8080), ep("10.0.1.4", 8080));
    assertThat(sync(model(web(three))))
        .isEqualTo(each("new-dest tcp %s -> 10.0.1.4:8080 masq weight 1"));
    List<Endpoint> rest = List.of(ep("10.0.1.3", 8080), ep("10.0.1.4", 8080));
    assertThat(sync(model(web(rest)))).isEqualTo(each("del-dest tcp %s -> 10.0.1.2:8080"));
  }

  @Test
  void affinityTimeoutChangeIsOneSetServiceAndAffinityOffAnother() throws Exception {
    sync(model(dns(SessionAffinity.clientIp())));
    assertThat(sync(model(dns(new SessionAffinity.ClientIp(Duration.ofSeconds(60))))))
        .isEqualTo("set-service udp [fd00:10:96:0:0:0:0:a]:53 rr persistent 60s");
    assertThat(sync(model(dns(SessionAffinity.NONE))))
        .isEqualTo("set-service udp [fd00:10:96:0:0:0:0:a]:53 rr");
    assertThat(kernel.services.values())
        .containsExactly(VirtualServer.of(Protocol.UDP, parse("fd00:10:96::a"), 53));
  }

  @Test
  void serviceRemovedDeletesItsVirtualServersButNeverOneBerthDidNotMake() throws Exception {
    VirtualServer ssh = VirtualServer.of(Protocol.TCP, parse("10.1.1.1"), 22);
    kernel.foreign(ssh, RealServer.masq(parse("10.1.1.2"), 22));
    sync(model(web(TWO), dns(SessionAffinity.NONE)));
    assertThat(sync(model(dns(SessionAffinity.NONE)))).isEqualTo(each("del-service tcp %s"));
    backend.cleanup();
    assertThat(kernel.drain()).isEqualTo("del-service udp [fd00:10:96:0:0:0:0:a]:53");
    assertThat(kernel.services.values()).containsExactly(ssh);
    assertThat(kernel.dests.get(ssh.key())).hasSize(1);
  }

  @Test
  void localExternalPolicyKeepsExternalFrontendsOnLocalEndpoints() throws Exception {
    ServicePort local =
        ServicePort.clusterIp(
                WEB,
                Protocol.TCP,
                parse("10.96.0.10"),
                80,
                List.of(Endpoint.ready(parse("10.0.1.2"), 8080, true), ep("10.0.1.3", 8080)))
            .withNodePort(30080)
            .withExternal(List.of(), List.of(), TrafficPolicy.LOCAL);
    assertThat(sync(model(local)))
        .isEqualTo(
            lines(
                "new-service tcp 10.96.0.10:80 rr",
                "new-dest tcp 10.96.0.10:80 -> 10.0.1.2:8080 masq weight 1",
                "new-dest tcp 10.96.0.10:80 -> 10.0.1.3:8080 masq weight 1",
                "new-service tcp 192.168.1.5:30080 rr",
                "new-dest tcp 192.168.1.5:30080 -> 10.0.1.2:8080 masq weight 1"));
  }

  @Test
  void nodePortAddressesChooseWhichNodeIpsGetANodePortVirtualServer() throws Exception {
    List<InetAddress> ips =
        List.of(parse("192.168.1.5"), parse("10.1.2.3"), parse("127.0.0.1"), parse("fd00::5"));
    IpvsBackend b = new IpvsBackend(kernel, () -> ips, System::nanoTime);
    ServicePort np =
        ServicePort.clusterIp(WEB, Protocol.TCP, parse("10.96.0.10"), 80, List.of())
            .withNodePort(30080);
    ProxyConfig onlyTen =
        new ProxyConfig(false, 0x4000, List.of(), List.of(Cidr.parse("10.0.0.0/8")));
    b.sync(ServiceModel.of(onlyTen, List.of(np)), SyncMode.FULL);
    // no endpoints: the virtual servers exist without destinations (kube-proxy's IPVS mode; the
    // REJECT it adds beside them through iptables is not built)
    assertThat(kernel.drain())
        .isEqualTo(lines("new-service tcp 10.1.2.3:30080 rr", "new-service tcp 10.96.0.10:80 rr"));
  }

  @Test
  void aRejectedCommandNamesItsServiceAndTheNextSyncFinishesTheRest() throws Exception {
    kernel.failOn("new-dest tcp 10.96.0.10:80 -> 10.0.1.3:8080");
    assertThatThrownBy(() -> backend.sync(model(web(TWO)), SyncMode.FULL))
        .isInstanceOf(IpvsCommandFailedException.class)
        .hasMessage(
            "IPVS new-dest tcp 10.96.0.10:80 -> 10.0.1.3:8080 masq weight 1 (service"
                + " default/web:http IPV4) failed: errno 22 (EINVAL)");
    assertThat(kernel.drain())
        .isEqualTo(
            lines(
                "new-service tcp 10.96.0.10:80 rr",
                "new-dest tcp 10.96.0.10:80 -> 10.0.1.2:8080 masq weight 1"));
    String rest = sync(model(web(TWO)));
    assertThat(rest).startsWith("new-dest tcp 10.96.0.10:80 -> 10.0.1.3:8080 masq weight 1\n");
    assertThat(rest.split("\n")).hasSize(1 + 3 * 3);
  }

  @Test
  void twoServicesClaimingOneVirtualServerAreRefusedBeforeAnythingIsSent() {
    ServicePort other =
        ServicePort.clusterIp(
            new ServicePortName("default", "other", "http"),
            Protocol.TCP,
            parse("10.96.0.10"),
            80,
            TWO);
    assertThatThrownBy(() -> backend.sync(model(web(TWO), other), SyncMode.FULL))
        .isInstanceOf(NetfilterException.class)
        .hasMessage(
            "IPVS virtual server tcp 10.96.0.10:80 is claimed by service default/other:http IPV4"
                + " and by service default/web:http IPV4");
    assertThat(kernel.log).isEmpty();
  }
}
