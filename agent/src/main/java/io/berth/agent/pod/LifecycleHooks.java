package io.berth.agent.pod;

import io.berth.cri.CriException;
import io.berth.cri.ExecSyncResult;
import io.berth.cri.RuntimeService;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs {@code postStart} and {@code preStop} handlers (the kubelet's {@code handlerRunner}): exec
 * through the CRI's ExecSync (a non-zero exit fails), httpGet to the pod IP (or {@code host}) on a
 * port given by number or container-port name (only a failed request fails; the status code does
 * not, as in the kubelet), and sleep. Each run is bounded by {@code timeout}: the remaining grace
 * period for preStop, {@link #POST_START_LIMIT} for postStart.
 */
public final class LifecycleHooks {
  /**
   * The kubelet bounds a postStart hook by nothing; berth stops waiting after this long so that a
   * hung hook cannot hold the pod's worker forever. The container is then killed as for a failure.
   */
  public static final Duration POST_START_LIMIT = Duration.ofMinutes(10);

  /** Sleeps; replaced in tests. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final Supplier<RuntimeService> runtime;
  private final Supplier<HttpClient> http;
  private final Sleeper sleeper;

  public LifecycleHooks(Supplier<RuntimeService> runtime, HttpClient http) {
    this(runtime, () -> http, d -> Thread.sleep(d));
  }

  /**
   * @param http makes the client of HTTP hooks; called once, at the first HTTP hook: the JDK's
   *     client costs a selector thread, TLS set-up and ~100 classes that a node without HTTP hooks
   *     never needs
   */
  public LifecycleHooks(Supplier<RuntimeService> runtime, Supplier<HttpClient> http) {
    this(runtime, once(http), d -> Thread.sleep(d));
  }

  private static Supplier<HttpClient> once(Supplier<HttpClient> make) {
    return new Supplier<>() {
      private HttpClient client;

      @Override
      public synchronized HttpClient get() {
        if (client == null) {
          client = make.get();
        }
        return client;
      }
    };
  }

  LifecycleHooks(Supplier<RuntimeService> runtime, Supplier<HttpClient> http, Sleeper sleeper) {
    this.runtime = runtime;
    this.http = http;
    this.sleeper = sleeper;
  }

  /**
   * Runs {@code h} for container {@code c} (id {@code containerId}) of {@code pod}.
   *
   * @return empty on success, else the kubelet's message for the failure
   */
  public Optional<String> run(
      Pod pod,
      Container c,
      String containerId,
      LifecycleHandler h,
      List<String> podIps,
      Duration timeout) {
    String who =
        "for Container \"" + c.getName() + "\" in Pod \"" + PodStatuses.fullName(pod) + "\"";
    if (h.getExec() != null) {
      List<String> cmd = h.getExec().getCommand() == null ? List.of() : h.getExec().getCommand();
      try {
        ExecSyncResult r = runtime.get().execSync(containerId, cmd, timeout);
        if (r.exitCode() != 0) {
          return Optional.of(
              "Exec lifecycle hook ("
                  + cmd
                  + ") "
                  + who
                  + " failed - error: command '"
                  + String.join(" ", cmd)
                  + "' exited with "
                  + r.exitCode()
                  + ": "
                  + new String(r.stderr(), StandardCharsets.UTF_8).strip()
                  + ", message: \""
                  + new String(r.stdout(), StandardCharsets.UTF_8).strip()
                  + "\"");
        }
        return Optional.empty();
      } catch (CriException e) {
        return Optional.of(
            "Exec lifecycle hook (" + cmd + ") " + who + " failed - error: " + e.getMessage());
      }
    }
    if (h.getHttpGet() != null) {
      HTTPGetAction g = h.getHttpGet();
      try {
        http.get().send(request(g, c, podIps, timeout), HttpResponse.BodyHandlers.discarding());
        return Optional.empty();
      } catch (IOException | IllegalArgumentException e) {
        return Optional.of(
            "HTTP lifecycle hook ("
                + g.getPath()
                + ") "
                + who
                + " failed - error: "
                + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("HTTP lifecycle hook (" + g.getPath() + ") " + who + " interrupted");
      }
    }
    if (h.getSleep() != null) {
      Duration want = Duration.ofSeconds(h.getSleep().getSeconds());
      try {
        sleeper.sleep(want.compareTo(timeout) < 0 ? want : timeout);
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of(
            "Sleep lifecycle hook ("
                + want.toSeconds()
                + ") "
                + who
                + " failed - error: container terminated before sleep hook finished");
      }
    }
    return Optional.of("Cannot run handler: invalid handler " + who);
  }

  static HttpRequest request(HTTPGetAction g, Container c, List<String> podIps, Duration timeout) {
    String host =
        g.getHost() != null && !g.getHost().isEmpty()
            ? g.getHost()
            : podIps.isEmpty() ? null : podIps.get(0);
    if (host == null) {
      throw new IllegalArgumentException("the pod has no IP yet");
    }
    int port = port(g.getPort(), c);
    String scheme = "HTTPS".equalsIgnoreCase(g.getScheme()) ? "https" : "http";
    String path = g.getPath() == null ? "" : g.getPath();
    if (!path.startsWith("/")) {
      path = "/" + path;
    }
    String authority = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(scheme + "://" + authority + path))
            .timeout(timeout)
            .header("User-Agent", "kube-lifecycle/berth");
    for (HTTPHeader hdr : g.getHttpHeaders() == null ? List.<HTTPHeader>of() : g.getHttpHeaders()) {
      b.setHeader(hdr.getName(), hdr.getValue());
    }
    return b.GET().build();
  }

  /** {@code resolvePort}: a number, a numeric string, or a container port's name; empty is 80. */
  static int port(IntOrString p, Container c) {
    if (p == null) {
      return 80;
    }
    if (p.getIntVal() != null) {
      return p.getIntVal();
    }
    String name = p.getStrVal() == null ? "" : p.getStrVal();
    if (name.isEmpty()) {
      return 80;
    }
    try {
      return Integer.parseInt(name);
    } catch (NumberFormatException notANumber) {
      for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
        if (name.equals(cp.getName())) {
          return cp.getContainerPort();
        }
      }
    }
    throw new IllegalArgumentException(
        "couldn't find port: " + name + " in container " + c.getName());
  }
}
