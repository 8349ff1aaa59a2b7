package io.berth.agent.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodAdmitterTest {
  final List<String> probed = new ArrayList<>();
  final PodAdmitter admitter =
      new PodAdmitter(
          new PodAdmitter.NodeLimits(3, 2000, 4L << 30),
          List.of("net.core.*", "kernel.msgmax"),
          p -> {
            probed.add(p.toString());
            return p.port() == 9999;
          });

  static Pod pod(String name, String spec) throws Exception {
    return new ObjectMapper(new YAMLFactory())
        .readValue(
            "metadata: {name: " + name + ", namespace: default, uid: " + name + "}\nspec: " + spec,
            Pod.class);
  }

  static Pod sysctls(String... names) throws Exception {
    StringBuilder s =
        new StringBuilder("{containers: [{name: c, image: i}], securityContext: {sysctls: [");
    for (String n : names) {
      s.append("{name: ").append(n).append(", value: '1'},");
    }
    return pod("p", s.append("]}}").toString());
  }

  @Test
  void safeAndAllowedUnsafeSysctlsAreAdmitted() throws Exception {
    assertThat(
            admitter.admit(
                sysctls("net.ipv4.ip_local_port_range", "kernel.shm_rmid_forced"), List.of()))
        .isEqualTo(Admission.ADMIT);
    assertThat(
            admitter.admit(
                sysctls("net.core.somaxconn", "kernel.msgmax", "net/ipv4/tcp_syncookies"),
                List.of()))
        .isEqualTo(Admission.ADMIT);
  }

  @Test
  void forbiddenSysctlsAreRejectedWithTheKubeletsReason() throws Exception {
    assertThat(admitter.admit(sysctls("kernel.msgmnb"), List.of()))
        .isEqualTo(
            new Admission.Reject(
                "SysctlForbidden",
                "forbidden sysctl: \"kernel.msgmnb\" not allowlisted (unsafe sysctls need allowedUnsafeSysctls)"));
    assertThat(admitter.admit(sysctls("vm.swappiness"), List.of()))
        .isEqualTo(
            new Admission.Reject(
                "SysctlForbidden", "forbidden sysctl: \"vm.swappiness\" not a namespaced sysctl"));
    Pod hostNet =
        pod(
            "h",
            "{hostNetwork: true, containers: [{name: c, image: i}], securityContext: {sysctls: [{name: net.core.somaxconn, value: '1'}]}}");
    assertThat(admitter.admit(hostNet, List.of()))
        .isEqualTo(
            new Admission.Reject(
                "SysctlForbidden",
                "forbidden sysctl: \"net.core.somaxconn\" not allowed with host net enabled"));
  }

  @Test
  void aNodeCannotAllowNonNamespacedSysctls() {
    assertThatThrownBy(() -> new PodAdmitter(new PodAdmitter.NodeLimits(1, 1, 1), List.of("vm.*")))
        .hasMessage("allowedUnsafeSysctls: \"vm.*\" is not a namespaced sysctl");
  }

  @Test
  void maxPodsAndRequestsAgainstAllocatable() throws Exception {
    Pod small =
        pod(
            "a",
            "{containers: [{name: c, image: i, resources: {requests: {cpu: 500m, memory: 1Gi}}}]}");
    Pod big = pod("b", "{containers: [{name: c, image: i, resources: {requests: {cpu: 1600m}}}]}");
    Pod mem =
        pod("m", "{containers: [{name: c, image: i, resources: {limits: {memory: 3500Mi}}}]}");
    Pod none = pod("n", "{containers: [{name: c, image: i}]}");

    assertThat(admitter.admit(big, List.of(small)))
        .isEqualTo(
            new Admission.Reject(
                "OutOfcpu",
                "Node didn't have enough resource: cpu, requested: 1600, used: 500, capacity: 2000"));
    assertThat(admitter.admit(mem, List.of(small)))
        .isInstanceOf(Admission.Reject.class)
        .extracting(r -> ((Admission.Reject) r).reason())
        .isEqualTo("OutOfmemory");
    assertThat(admitter.admit(none, List.of(small, small))).isEqualTo(Admission.ADMIT);
    assertThat(admitter.admit(none, List.of(small, none, none)))
        .isEqualTo(
            new Admission.Reject(
                "OutOfpods",
                "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3"));
  }

  @Test
  void initContainersAndSidecarsCountLikeTheScheduler() throws Exception {
    Pod p =
        pod(
            "p",
            """
            {initContainers: [
               {name: side, image: i, restartPolicy: Always, resources: {requests: {cpu: 200m}}},
               {name: init, image: i, resources: {requests: {cpu: "1"}}}],
             containers: [{name: c, image: i, resources: {requests: {cpu: 300m}}}]}
            """);
    assertThat(PodRequests.of(p).milliCpu()).as("max(300+200, 1000+200)").isEqualTo(1200);
  }

  @Test
  void hostPortsClashWithOtherPodsAndWithBoundSockets() throws Exception {
    Pod a =
        pod(
            "a",
            "{containers: [{name: c, image: i, ports: [{containerPort: 80, hostPort: 8080}]}]}");
    Pod b =
        pod(
            "b",
            "{containers: [{name: c, image: i, ports: [{containerPort: 80, hostPort: 8080, hostIP: 10.0.0.5}]}]}");
    Pod udp =
        pod(
            "u",
            "{containers: [{name: c, image: i, ports: [{containerPort: 80, hostPort: 8080, protocol: UDP}]}]}");
    Pod taken =
        pod(
            "t",
            "{containers: [{name: c, image: i, ports: [{containerPort: 80, hostPort: 9999}]}]}");

    assertThat(admitter.admit(b, List.of(a)))
        .isEqualTo(
            new Admission.Reject(
                "NodePorts",
                "node(s) didn't have free ports for the requested pod ports: TCP/10.0.0.5:8080 is already used by pod default/a"));
    assertThat(admitter.admit(udp, List.of(a))).isEqualTo(Admission.ADMIT);
    assertThat(admitter.admit(taken, List.of()))
        .isEqualTo(
            new Admission.Reject(
                "NodePorts",
                "node(s) didn't have free ports for the requested pod ports: TCP/0.0.0.0:9999 is already bound by a process on the node"));
    Pod hostNet =
        pod(
            "h",
            "{hostNetwork: true, containers: [{name: c, image: i, ports: [{containerPort: 9999}]}]}");
    assertThat(admitter.admit(hostNet, List.of()))
        .as("its own process binds it once running")
        .isEqualTo(Admission.ADMIT);
    assertThat(
            admitter.admit(
                pod(
                    "h2",
                    "{containers: [{name: c, image: i, ports: [{containerPort: 9999, hostPort: 9999}]}]}"),
                List.of(hostNet)))
        .isInstanceOf(Admission.Reject.class);
  }

  @Test
  void theBindProbeSeesARealListener() throws Exception {
    try (ServerSocketChannel s = ServerSocketChannel.open()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = ((InetSocketAddress) s.getLocalAddress()).getPort();
      assertThat(HostPorts.BIND.inUse(new HostPorts.HostPort("TCP", "127.0.0.1", port))).isTrue();
      assertThat(HostPorts.BIND.inUse(new HostPorts.HostPort("UDP", "127.0.0.1", port))).isFalse();
    }
  }
}
