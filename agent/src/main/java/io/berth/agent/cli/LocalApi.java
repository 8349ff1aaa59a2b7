package io.berth.agent.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.PodList;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** berth's local API as the operator commands read it ({@code GET /pods} on 127.0.0.1:10248). */
public final class LocalApi {
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final String server;

  public LocalApi(String server) {
    this.server = server;
  }

  /** The body of {@code GET <server><path>}; a failure is one line naming the URL. */
  public String get(String path) {
    String url = server + path;
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new CliException("berth answered " + url + " with HTTP " + r.statusCode());
      }
      return r.body();
    } catch (ConnectException e) {
      throw new CliException("no berth answering at " + url + " (is `berth run` running?)");
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException("cannot read " + url + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while reading " + url);
    }
  }

  /** The pods berth knows, as the v1 PodList of {@code GET /pods}. */
  public PodList pods() {
    return parsePods(server, get("/pods"));
  }

  /** {@code body} of {@code server}'s {@code /pods} as a PodList; one line when it is not one. */
  public static PodList parsePods(String server, String body) {
    try {
      return JSON.readValue(body, PodList.class);
    } catch (IOException e) {
      throw new CliException(
          "berth at "
              + server
              + " answered /pods with something that is not a PodList: "
              + e.getMessage());
    }
  }

  public String server() {
    return server;
  }
}
