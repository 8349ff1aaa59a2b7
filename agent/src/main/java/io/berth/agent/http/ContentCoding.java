package io.berth.agent.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * How a reply's body is coded, and so which headers go with it: a route that negotiates the coding
 * answers {@code Vary: Accept-Encoding} whether or not it compressed (a cache must not hand a
 * gzipped answer to a client that did not ask for one).
 */
public enum ContentCoding {
  /** The route does not negotiate: no {@code Content-Encoding}, no {@code Vary}. */
  FIXED(null, false),
  /** Negotiated, and sent as it is (the client did not accept gzip). */
  IDENTITY(null, true),
  /** Negotiated and gzipped: {@code Content-Encoding: gzip}. */
  GZIP("gzip", true);

  private final String contentEncoding;
  private final boolean negotiated;

  ContentCoding(String contentEncoding, boolean negotiated) {
    this.contentEncoding = contentEncoding;
    this.negotiated = negotiated;
  }

  /** The {@code Content-Encoding} header's value, or null for none. */
  public String contentEncoding() {
    return contentEncoding;
  }

  /** Whether the answer carries {@code Vary: Accept-Encoding}. */
  public boolean varies() {
    return negotiated;
  }

  /** Adds {@code Content-Encoding} and {@code Vary} as this coding needs them. */
  public void addHeaders(HttpHeaders headers) {
    if (contentEncoding != null) {
      headers.set(HttpHeaderNames.CONTENT_ENCODING, contentEncoding);
    }
    if (negotiated) {
      headers.set(HttpHeaderNames.VARY, "Accept-Encoding");
    }
  }
}
