package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TokenReview ({@code authentication.k8s.io/v1}) and SubjectAccessReview ({@code
 * authorization.k8s.io/v1}) for the test API server: tokens the test registers map to users; a
 * small rule table answers access reviews (user or group, verb, resource, subresource; {@code *}
 * matches anything); the group {@code system:masters} may do everything, as under RBAC. Unknown
 * tokens are not authenticated; anything no rule allows is denied.
 */
public final class AuthReviews {
  static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
  static final String ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

  /** One allow rule; {@code subject} is a user name or {@code group:<name>}. */
  public record Rule(String subject, String verb, String resource, String subresource) {}

  private record User(String name, List<String> groups) {}

  private final Map<String, User> tokens = new ConcurrentHashMap<>();
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final AtomicInteger tokenReviews = new AtomicInteger();
  private final AtomicInteger accessReviews = new AtomicInteger();

  /** {@code token} authenticates as {@code user} in {@code groups}. */
  public AuthReviews token(String token, String user, String... groups) {
    tokens.put(token, new User(user, List.of(groups)));
    return this;
  }

  /**
   * Allows {@code subject} (user, or {@code group:<name>}) {@code verb} on resource/subresource.
   */
  public AuthReviews allow(String subject, String verb, String resource, String subresource) {
    rules.add(new Rule(subject, verb, resource, subresource));
    return this;
  }

  public int tokenReviews() {
    return tokenReviews.get();
  }

  public int accessReviews() {
    return accessReviews.get();
  }

  boolean handles(String method, String path) {
    return method.equals("POST") && (path.equals(TOKEN_REVIEWS) || path.equals(ACCESS_REVIEWS));
  }

  ObjectNode answer(String path, ObjectNode review) {
    if (path.equals(TOKEN_REVIEWS)) {
      tokenReviews.incrementAndGet();
      return tokenReview(review);
    }
    accessReviews.incrementAndGet();
    return accessReview(review);
  }

  private ObjectNode tokenReview(ObjectNode review) {
    ObjectNode out = review.deepCopy();
    User u = tokens.get(review.path("spec").path("token").asText(""));
    ObjectNode status = out.putObject("status");
    status.put("authenticated", u != null);
    if (u != null) {
      ObjectNode user = status.putObject("user");
      user.put("username", u.name()).put("uid", "uid-" + u.name());
      ArrayNode groups = user.putArray("groups");
      u.groups().forEach(groups::add);
      groups.add("system:authenticated");
    }
    return out;
  }

  private ObjectNode accessReview(ObjectNode review) {
    ObjectNode out = review.deepCopy();
    JsonNode spec = review.path("spec");
    String user = spec.path("user").asText("");
    List<String> groups = new java.util.ArrayList<>();
    spec.path("groups").forEach(g -> groups.add(g.asText()));
    JsonNode attrs = spec.path("resourceAttributes");
    boolean allowed =
        groups.contains("system:masters")
            || rules.stream()
                .anyMatch(
                    r ->
                        (r.subject().equals(user)
                                || r.subject().startsWith("group:")
                                    && groups.contains(r.subject().substring(6)))
                            && matches(r.verb(), attrs.path("verb").asText(""))
                            && matches(r.resource(), attrs.path("resource").asText(""))
                            && matches(r.subresource(), attrs.path("subresource").asText("")));
    ObjectNode status = out.putObject("status");
    status.put("allowed", allowed);
    status.put("reason", allowed ? "allowed by a test rule" : "no test rule allows it");
    return out;
  }

  private static boolean matches(String rule, String value) {
    return rule.equals("*") || rule.equals(value);
  }
}
