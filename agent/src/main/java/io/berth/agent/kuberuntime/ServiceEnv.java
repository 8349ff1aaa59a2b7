package io.berth.agent.kuberuntime;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The service environment variables a container starts with (the kubelet's {@code
 * getServiceEnvVarMap} and {@code envvars.FromServices}):
 *
 * <pre>
 *   WEB_SERVICE_HOST=10.96.0.10   WEB_SERVICE_PORT=80   WEB_SERVICE_PORT_HTTP=80
 *   WEB_PORT=tcp://10.96.0.10:80  WEB_PORT_80_TCP=tcp://10.96.0.10:80
 *   WEB_PORT_80_TCP_PROTO=tcp     WEB_PORT_80_TCP_PORT=80   WEB_PORT_80_TCP_ADDR=10.96.0.10
 * </pre>
 *
 * for every Service of the pod's namespace with a cluster IP (headless and ExternalName services
 * have none), when the pod's {@code enableServiceLinks} is not false; the {@code kubernetes}
 * Service of {@code default} is always included. The container's own {@code env} wins over these.
 */
public final class ServiceEnv {
  static final String MASTER_SERVICE = "kubernetes";
  static final String DEFAULT_NAMESPACE = "default";

  private ServiceEnv() {}

  /** The variables for {@code pod} given every Service berth knows. */
  public static Map<String, String> forPod(Pod pod, List<Service> services) {
    String ns = pod.getMetadata().getNamespace();
    boolean links = !Boolean.FALSE.equals(pod.getSpec().getEnableServiceLinks());
    Map<String, Service> chosen = new TreeMap<>();
    for (Service s : services) {
      if (!hasClusterIp(s)) {
        continue;
      }
      String sns = s.getMetadata().getNamespace();
      String name = s.getMetadata().getName();
      if (sns.equals(DEFAULT_NAMESPACE) && name.equals(MASTER_SERVICE)) {
        chosen.putIfAbsent(name, s);
      } else if (links && sns.equals(ns)) {
        chosen.put(name, s);
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    chosen.values().stream()
        .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
        .forEach(s -> addService(env, s));
    return env;
  }

  private static boolean hasClusterIp(Service s) {
    String ip = s.getSpec() == null ? null : s.getSpec().getClusterIP();
    return ip != null && !ip.isEmpty() && !ip.equals("None");
  }

  private static void addService(Map<String, String> env, Service s) {
    String name = envName(s.getMetadata().getName());
    String ip = s.getSpec().getClusterIP();
    List<ServicePort> ports = s.getSpec().getPorts() == null ? List.of() : s.getSpec().getPorts();
    env.put(name + "_SERVICE_HOST", ip);
    if (!ports.isEmpty()) {
      env.put(name + "_SERVICE_PORT", String.valueOf(ports.get(0).getPort()));
    }
    for (ServicePort p : ports) {
      if (p.getName() != null && !p.getName().isEmpty()) {
        env.put(name + "_SERVICE_PORT_" + envName(p.getName()), String.valueOf(p.getPort()));
      }
    }
    List<String[]> links = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      ServicePort p = ports.get(i);
      String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
      String lower = proto.toLowerCase(Locale.ROOT);
      String url = lower + "://" + hostPort(ip, p.getPort());
      if (i == 0) {
        links.add(new String[] {name + "_PORT", url});
      }
      String prefix = name + "_PORT_" + p.getPort() + "_" + proto.toUpperCase(Locale.ROOT);
      links.add(new String[] {prefix, url});
      links.add(new String[] {prefix + "_PROTO", lower});
      links.add(new String[] {prefix + "_PORT", String.valueOf(p.getPort())});
      links.add(new String[] {prefix + "_ADDR", ip});
    }
    links.forEach(kv -> env.put(kv[0], kv[1]));
  }

  private static String hostPort(String ip, int port) {
    return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
  }

  /** {@code my-svc} → {@code MY_SVC}. */
  static String envName(String name) {
    return name.toUpperCase(Locale.ROOT).replace('-', '_');
  }
}
