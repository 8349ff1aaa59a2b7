package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Plain HTTP calls against the test API server, as any client would make them. */
final class Http implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  record Response(int code, JsonNode body) {}

  private final URI base;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  Http(URI base) {
    this.base = base;
  }

  Response get(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET(), null);
  }

  Response post(String path, String json) {
    return send(
        HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(json)),
        "application/json");
  }

  Response put(String path, String json) {
    return send(
        HttpRequest.newBuilder(base.resolve(path)).PUT(HttpRequest.BodyPublishers.ofString(json)),
        "application/json");
  }

  Response patch(String path, String contentType, String body) {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body)),
        contentType);
  }

  Response delete(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).DELETE(), null);
  }

  private Response send(HttpRequest.Builder b, String contentType) {
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    try {
      HttpResponse<String> r =
          client.send(
              b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
      return new Response(r.statusCode(), body);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An open watch: events arrive on a queue; the reader thread ends with the stream. */
  final class Watch implements AutoCloseable {
    final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    volatile boolean ended;
    private final InputStream body;

    Watch(String path) throws IOException, InterruptedException {
      HttpResponse<InputStream> r =
          client.send(
              HttpRequest.newBuilder(base.resolve(path)).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      body = r.body();
      Thread t =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    events.add(JSON.readTree(line));
                  }
                } catch (IOException e) {
                  // the stream was cut; ended tells the test
                } finally {
                  ended = true;
                }
              },
              "test-watch");
      t.setDaemon(true);
      t.start();
    }

    JsonNode next() throws InterruptedException {
      JsonNode e = events.poll(10, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("no watch event within 10 s");
      }
      return e;
    }

    /** The next event that is not a BOOKMARK. */
    JsonNode nextChange() throws InterruptedException {
      JsonNode e;
      do {
        e = next();
      } while (e.path("type").asText().equals("BOOKMARK"));
      return e;
    }

    @Override
    public void close() throws IOException {
      body.close();
    }
  }

  Watch watch(String path) throws IOException, InterruptedException {
    return new Watch(path);
  }

  @Override
  public void close() {
    client.close();
  }
}
