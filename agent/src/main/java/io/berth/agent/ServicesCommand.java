package io.berth.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.cli.CliException;
import io.berth.agent.cli.LocalApi;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceList;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code berth services}: the Services a running berth's proxy programs, read from its local API
 * ({@code GET /services}), as a table like {@code kubectl get services -A -o wide}, or the JSON
 * itself with {@code -o json}.
 */
final class ServicesCommand {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final PrintStream out;
  private final Clock clock;

  ServicesCommand(PrintStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  int run(String server, String output) {
    if (!output.equals("wide") && !output.equals("json")) {
      throw new UsageException("option -o/--output must be wide or json, got '" + output + "'");
    }
    String body = new LocalApi(server).get("/services");
    if (output.equals("json")) {
      out.println(body);
      return 0;
    }
    ServiceList list;
    try {
      list = JSON.readValue(body, ServiceList.class);
    } catch (IOException e) {
      throw new CliException(
          "berth at "
              + server
              + " answered /services with something that is not a ServiceList: "
              + e.getMessage());
    }
    out.print(table(list.getItems(), clock.instant()));
    return 0;
  }

  static String table(List<Service> services, Instant now) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"
        });
    for (Service s : services) {
      ServiceSpec spec = s.getSpec() == null ? new ServiceSpec() : s.getSpec();
      String created = s.getMetadata().getCreationTimestamp();
      rows.add(
          new String[] {
            s.getMetadata().getNamespace(),
            s.getMetadata().getName(),
            type(spec),
            orNone(spec.getClusterIP()),
            externalIp(s, spec),
            ports(spec.getPorts()),
            created == null || created.isEmpty()
                ? "<unknown>"
                : PodsCommand.age(Duration.between(Instant.parse(created), now)),
            selector(spec.getSelector())
          });
    }
    return TextTable.render(rows);
  }

  private static String type(ServiceSpec spec) {
    return spec.getType() == null || spec.getType().isEmpty() ? "ClusterIP" : spec.getType();
  }

  /** kubectl's EXTERNAL-IP column (its {@code getServiceExternalIP}). */
  static String externalIp(Service s, ServiceSpec spec) {
    List<String> external = spec.getExternalIPs() == null ? List.of() : spec.getExternalIPs();
    return switch (type(spec)) {
      case "ClusterIP", "NodePort" -> external.isEmpty() ? "<none>" : String.join(",", external);
      case "LoadBalancer" -> {
        List<String> ips = new ArrayList<>();
        if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null) {
          List<LoadBalancerIngress> ingress = s.getStatus().getLoadBalancer().getIngress();
          for (LoadBalancerIngress i : ingress == null ? List.<LoadBalancerIngress>of() : ingress) {
            ips.add(i.getIp() != null && !i.getIp().isEmpty() ? i.getIp() : i.getHostname());
          }
        }
        ips.addAll(external);
        yield ips.isEmpty() ? "<pending>" : String.join(",", ips);
      }
      case "ExternalName" -> orNone(spec.getExternalName());
      default -> "<unknown>";
    };
  }

  /** kubectl's PORT(S): {@code 80/TCP}, {@code 80:30080/TCP}, comma-separated. */
  static String ports(List<ServicePort> ports) {
    if (ports == null || ports.isEmpty()) {
      return "<none>";
    }
    return ports.stream()
        .map(
            p ->
                p.getPort()
                    + (p.getNodePort() != null && p.getNodePort() > 0 ? ":" + p.getNodePort() : "")
                    + "/"
                    + (p.getProtocol() == null ? "TCP" : p.getProtocol()))
        .collect(Collectors.joining(","));
  }

  /** kubectl's SELECTOR: {@code k=v} sorted by key, comma-separated. */
  static String selector(Map<String, String> selector) {
    if (selector == null || selector.isEmpty()) {
      return "<none>";
    }
    return new TreeMap<>(selector)
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
  }

  private static String orNone(String v) {
    return v == null || v.isEmpty() ? "<none>" : v;
  }
}
