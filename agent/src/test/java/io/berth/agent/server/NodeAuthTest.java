package io.berth.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.agent.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeAuthTest {
  private final FakeClock clock = new FakeClock();

  @ParameterizedTest
  @CsvSource({
    "GET,/stats/summary,get,stats",
    "GET,/stats,get,stats",
    "GET,/metrics,get,metrics",
    "GET,/metrics/cadvisor,get,metrics",
    "GET,/metricsfoo,get,proxy",
    "GET,/logs/syslog,get,log",
    "GET,/logs/,get,log",
    "GET,/spec/,get,spec",
    "GET,/pods,get,proxy",
    "GET,/healthz,get,proxy",
    "GET,/containerLogs/ns/p/c,get,proxy",
    "POST,/exec/ns/p/c,create,proxy",
    "GET,/exec/ns/p/c,get,proxy",
    "PUT,/pods,update,proxy",
    "PATCH,/pods,patch,proxy",
    "DELETE,/pods,delete,proxy",
    "HEAD,/stats/summary,get,stats"
  })
  void requestAttributesFollowTheKubeletsPathMapping(
      String method, String path, String verb, String subresource) {
    assertEquals(
        new NodeRequestAttributes(verb, "node-1", subresource),
        NodeRequestAttributes.of(method, path, "node-1"));
  }

  @Test
  void withoutCredentialsOnlyAnonymousWhenEnabled() {
    var off = new RequestAuthenticator(Optional.empty(), Duration.ofMinutes(2), false, clock);
    assertInstanceOf(Authentication.Refused.class, off.authenticate(List.of(), null));
    var on = new RequestAuthenticator(Optional.empty(), Duration.ofMinutes(2), true, clock);
    assertEquals(
        new Authentication.Authenticated(UserInfo.ANONYMOUS), on.authenticate(List.of(), null));
  }

  @Test
  void tokensAreReviewedOnceAndCachedForTheTtlWhetherAcceptedOrNot() {
    AtomicInteger calls = new AtomicInteger();
    TokenReviewer reviewer =
        token -> {
          calls.incrementAndGet();
          return token.equals("good")
              ? Optional.of(new UserInfo("alice", "u1", List.of("dev")))
              : Optional.empty();
        };
    var authn =
        new RequestAuthenticator(Optional.of(reviewer), Duration.ofMinutes(2), false, clock);
    Authentication a = authn.authenticate(List.of(), "Bearer good");
    assertEquals(
        new Authentication.Authenticated(
            new UserInfo("alice", "u1", List.of("dev", "system:authenticated"))),
        a);
    authn.authenticate(List.of(), "bearer good");
    assertInstanceOf(Authentication.Refused.class, authn.authenticate(List.of(), "Bearer bad"));
    assertInstanceOf(Authentication.Refused.class, authn.authenticate(List.of(), "Bearer bad"));
    assertEquals(2, calls.get());
    clock.advance(Duration.ofMinutes(2));
    authn.authenticate(List.of(), "Bearer good");
    assertEquals(3, calls.get());
  }

  @Test
  void malformedAuthorizationHeadersAreRefusedWithoutAReview() {
    AtomicInteger calls = new AtomicInteger();
    var authn =
        new RequestAuthenticator(
            Optional.of(
                t -> {
                  calls.incrementAndGet();
                  return Optional.empty();
                }),
            Duration.ofMinutes(2),
            true,
            clock);
    for (String h : new String[] {"Basic abc", "Bearer ", "Bearer", "", "Token x"}) {
      assertInstanceOf(Authentication.Refused.class, authn.authenticate(List.of(), h), h);
    }
    assertEquals(0, calls.get());
  }

  @Test
  void anUnavailableReviewIsNotCached() {
    AtomicInteger calls = new AtomicInteger();
    var authn =
        new RequestAuthenticator(
            Optional.of(
                t -> {
                  calls.incrementAndGet();
                  throw new NodeApiException.Unavailable("down", null);
                }),
            Duration.ofMinutes(2),
            false,
            clock);
    assertThrows(
        NodeApiException.Unavailable.class, () -> authn.authenticate(List.of(), "Bearer t"));
    assertThrows(
        NodeApiException.Unavailable.class, () -> authn.authenticate(List.of(), "Bearer t"));
    assertEquals(2, calls.get());
  }

  @Test
  void decisionsAreCachedFiveMinutesWhenAllowedAndThirtySecondsWhenDenied() {
    AtomicInteger calls = new AtomicInteger();
    NodeAuthorizer sar =
        (user, request) -> {
          calls.incrementAndGet();
          return new NodeAuthorizer.Decision(user.name().equals("admin"), "rule");
        };
    var authz = NodeAuthorizer.cached(sar, Duration.ofMinutes(5), Duration.ofSeconds(30), clock);
    var admin = new UserInfo("admin", "", List.of());
    var eve = new UserInfo("eve", "", List.of());
    var exec = NodeRequestAttributes.of("POST", "/exec/a/b/c", "n");
    assertTrue(authz.authorize(admin, exec).allowed());
    assertFalse(authz.authorize(eve, exec).allowed());
    assertEquals(2, calls.get());
    clock.advance(Duration.ofSeconds(29));
    authz.authorize(admin, exec);
    authz.authorize(eve, exec);
    assertEquals(2, calls.get());
    clock.advance(Duration.ofSeconds(1));
    authz.authorize(eve, exec);
    assertEquals(3, calls.get(), "a denial is asked again after 30 s");
    authz.authorize(admin, exec);
    assertEquals(3, calls.get(), "an allow is kept for 5 min");
    clock.advance(Duration.ofMinutes(5));
    authz.authorize(admin, exec);
    assertEquals(4, calls.get());
    authz.authorize(admin, NodeRequestAttributes.of("GET", "/stats/summary", "n"));
    assertEquals(5, calls.get(), "another subresource is another decision");
  }
}
