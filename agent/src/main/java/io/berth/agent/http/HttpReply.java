package io.berth.agent.http;

import java.nio.charset.StandardCharsets;

/**
 * A complete response: status, content type, body, and how the body is coded ({@link
 * ContentCoding#FIXED} unless a route negotiates it, see {@link GzipNegotiation}).
 */
public record HttpReply(int status, String contentType, byte[] body, ContentCoding coding) {
  public static final String TEXT = "text/plain; charset=utf-8";
  public static final String JSON = "application/json";

  /** A reply whose body is sent as it is, whatever the client accepts. */
  public HttpReply(int status, String contentType, byte[] body) {
    this(status, contentType, body, ContentCoding.FIXED);
  }

  public static HttpReply text(int status, String body) {
    return new HttpReply(status, TEXT, body.getBytes(StandardCharsets.UTF_8));
  }

  public static HttpReply ok(String contentType, String body) {
    return new HttpReply(200, contentType, body.getBytes(StandardCharsets.UTF_8));
  }
}
