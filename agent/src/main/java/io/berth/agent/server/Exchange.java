package io.berth.agent.server;

import io.berth.agent.http.HttpReply;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * One node API request as the routes see it, and the three ways to answer it: a whole reply, a
 * streamed body, or an upgrade proxied to the runtime's streaming server. Exactly one answer per
 * exchange.
 */
interface Exchange {
  String method();

  /** The percent-decoded path. */
  String path();

  Map<String, List<String>> query();

  /** The verified client certificate chain, leaf first; empty for none. */
  List<X509Certificate> peerCertificates();

  /** A request header, or null. */
  String header(String name);

  /** Whether the request asks to switch protocols (WebSocket or SPDY). */
  boolean isUpgrade();

  /** A whole reply, with the {@code Content-Encoding} and {@code Vary} its coding asks for. */
  void reply(HttpReply reply);

  default void reply(int status, String contentType, byte[] body) {
    reply(new HttpReply(status, contentType, body));
  }

  /**
   * Starts a streamed 200 reply ({@code contentLength} < 0: chunked). The sink buffers; writing an
   * empty array flushes and reports whether the client is still there. {@link Stream#end()} ends
   * the reply.
   */
  Stream stream(String contentType, long contentLength);

  /** Proxies this upgrade request to {@code target} and pipes bytes both ways until either ends. */
  void upgrade(URI target, Runnable onClose);

  /** A streamed reply body. */
  interface Stream extends ContainerLogWriter.Sink {
    void end();
  }
}
