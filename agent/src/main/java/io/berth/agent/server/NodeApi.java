package io.berth.agent.server;

import io.berth.agent.http.HttpRoutes;
import io.berth.agent.kubeapi.KubeApiClient;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the node API from its settings: TLS context, the authenticator (client certificates,
 * TokenReview, anonymous), the authorizer (cached SubjectAccessReview or AlwaysAllow) and the
 * routes, then binds the listener. Without an API server, bearer tokens are refused and the Webhook
 * mode denies everything (berth says so in its log): nothing is opened by accident.
 */
public final class NodeApi {
  private static final Logger log = LoggerFactory.getLogger(NodeApi.class);

  /** How often a followed log file is read for new lines. */
  static final Duration FOLLOW_POLL = Duration.ofMillis(100);

  private NodeApi() {}

  /** What the node API serves besides its settings. */
  public record Sources(
      String nodeName,
      List<InetAddress> nodeIps,
      HttpRoutes localRoutes,
      NodeContainers containers,
      Optional<KubeApiClient> api) {}

  /** Binds and serves the node API as configured. */
  public static NodeApiServer start(NodeServerSettings settings, Sources sources, Clock clock) {
    var tls =
        NodeTls.serverContext(settings, sources.nodeName(), sources.nodeIps(), clock.instant());
    Optional<ApiReviews> reviews = sources.api().map(ApiReviews::new);
    NodeServerSettings.Authentication authn = settings.authentication();
    if (authn.webhook() && reviews.isEmpty()) {
      log.warn("node API: no API server, so bearer tokens are refused (token webhook needs one)");
    }
    RequestAuthenticator authenticator =
        new RequestAuthenticator(
            authn.webhook() ? reviews.map(r -> (TokenReviewer) r) : Optional.empty(),
            authn.webhookCacheTtl(),
            authn.anonymous(),
            clock);
    NodeApiRoutes routes =
        new NodeApiRoutes(
            new NodeApiRoutes.Parts(
                sources.nodeName(),
                authenticator,
                authorizer(settings.authorization(), reviews, clock),
                sources.localRoutes(),
                sources.containers(),
                new ContainerLogWriter(FOLLOW_POLL),
                new NodeLogDirectory(settings.nodeLogDir()),
                clock),
            settings.limits().maxStreams());
    return NodeApiServer.start(settings.address(), tls, routes, settings.limits());
  }

  static NodeAuthorizer authorizer(
      NodeServerSettings.Authorization authz, Optional<ApiReviews> reviews, Clock clock) {
    return switch (authz.mode()) {
      case ALWAYS_ALLOW -> {
        log.warn("node API: authorization mode AlwaysAllow: every authenticated user may do all");
        yield NodeAuthorizer.alwaysAllow();
      }
      case WEBHOOK -> {
        if (reviews.isEmpty()) {
          log.warn("node API: authorization mode Webhook without an API server denies everything");
          yield (user, request) -> new NodeAuthorizer.Decision(false, "no API server to ask");
        }
        yield NodeAuthorizer.cached(
            reviews.get(), authz.cacheAuthorizedTtl(), authz.cacheUnauthorizedTtl(), clock);
      }
    };
  }
}
