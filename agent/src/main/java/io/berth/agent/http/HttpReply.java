package io.berth.agent.http;

import java.nio.charset.StandardCharsets;

/** A complete response: status, content type and body. */
public record HttpReply(int status, String contentType, byte[] body) {
  public static final String TEXT = "text/plain; charset=utf-8";
  public static final String JSON = "application/json";

  public static HttpReply text(int status, String body) {
    return new HttpReply(status, TEXT, body.getBytes(StandardCharsets.UTF_8));
  }

  public static HttpReply ok(String contentType, String body) {
    return new HttpReply(200, contentType, body.getBytes(StandardCharsets.UTF_8));
  }
}
