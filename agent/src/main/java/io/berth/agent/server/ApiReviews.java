package io.berth.agent.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.agent.kubeapi.ApiException;
import io.berth.agent.kubeapi.KubeApiClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * TokenReview ({@code authentication.k8s.io/v1}) and SubjectAccessReview ({@code
 * authorization.k8s.io/v1}) through berth's API client: the kubelet's webhook authenticator and
 * authorizer. A failed call is {@link NodeApiException.Unavailable} (the request gets a 503-free
 * 401/403 and nothing is cached).
 */
public final class ApiReviews implements TokenReviewer, NodeAuthorizer {
  static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
  static final String ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

  private final KubeApiClient api;

  public ApiReviews(KubeApiClient api) {
    this.api = api;
  }

  @Override
  public Optional<UserInfo> review(String token) {
    ObjectNode body = api.json().createObjectNode();
    body.put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenReview");
    body.putObject("spec").put("token", token);
    JsonNode status = call(TOKEN_REVIEWS, body, "TokenReview").path("status");
    if (!status.path("authenticated").asBoolean(false)) {
      return Optional.empty();
    }
    JsonNode user = status.path("user");
    List<String> groups = new ArrayList<>();
    user.path("groups").forEach(g -> groups.add(g.asText()));
    String name = user.path("username").asText("");
    return name.isEmpty()
        ? Optional.empty()
        : Optional.of(new UserInfo(name, user.path("uid").asText(""), groups));
  }

  @Override
  public Decision authorize(UserInfo user, NodeRequestAttributes request) {
    ObjectNode body = api.json().createObjectNode();
    body.put("apiVersion", "authorization.k8s.io/v1").put("kind", "SubjectAccessReview");
    ObjectNode spec = body.putObject("spec");
    spec.put("user", user.name());
    if (!user.uid().isEmpty()) {
      spec.put("uid", user.uid());
    }
    var groups = spec.putArray("groups");
    user.groups().forEach(groups::add);
    spec.putObject("resourceAttributes")
        .put("verb", request.verb())
        .put("group", "")
        .put("version", "v1")
        .put("resource", "nodes")
        .put("subresource", request.subresource())
        .put("name", request.nodeName());
    JsonNode status = call(ACCESS_REVIEWS, body, "SubjectAccessReview").path("status");
    boolean allowed =
        status.path("allowed").asBoolean(false) && !status.path("denied").asBoolean(false);
    return new Decision(allowed, status.path("reason").asText(""));
  }

  private JsonNode call(String path, ObjectNode body, String kind) {
    try {
      return api.create(path, body);
    } catch (ApiException e) {
      throw new NodeApiException.Unavailable(kind + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NodeApiException.Unavailable(kind + " interrupted", e);
    }
  }
}
