package io.berth.probes.prober;

import io.berth.probes.ProbeHandler.HttpHeader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The bytes of a probe's {@code GET}, written straight to the wire format (no header map, no
 * encoder in the pipeline):
 *
 * <pre>
 *   GET /path?query HTTP/1.1
 *   Host: host:port                  (or the probe's Host header)
 *   X-Probe: ...                     (the probe's headers, in order; an empty User-Agent drops it)
 *   User-Agent: kube-probe/1.32      (unless the probe sets one)
 *   Accept: *&#47;*                       (unless the probe sets one)
 *   Connection: close
 * </pre>
 *
 * Header names must be HTTP tokens and values must not hold control characters (tab allowed), else
 * {@link InvalidHeaderException} with Go's message, which the probe reports as its failure (Go's
 * client refuses such a request before dialling).
 */
final class HttpGetRequest {
  private HttpGetRequest() {}

  /** A header the request cannot carry: a probe failure, as Go's {@code client.Do} error. */
  static final class InvalidHeaderException extends IllegalArgumentException {
    InvalidHeaderException(String message) {
      super(message);
    }
  }

  /**
   * Encodes the request for {@code url}.
   *
   * @param hostOverride the probe's {@code Host} header while it applies (not after a redirect to
   *     an absolute URL)
   */
  static byte[] encode(
      URI url, Optional<String> hostOverride, List<HttpHeader> headers, String userAgent) {
    var path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    var out = new StringBuilder(96 + path.length() + 48 * headers.size());
    out.append("GET ").append(path);
    if (url.getRawQuery() != null) {
      out.append('?').append(url.getRawQuery());
    }
    out.append(" HTTP/1.1\r\nHost: ");
    var host = hostOverride.orElse(url.getRawAuthority());
    if (!validValue(host)) {
      throw new InvalidHeaderException("http: invalid Host header");
    }
    out.append(host).append("\r\n");
    boolean userAgentSet = false;
    boolean acceptSet = false;
    for (var header : headers) {
      var name = header.name();
      if (!token(name)) {
        throw new InvalidHeaderException("net/http: invalid header field name " + GoQuote.of(name));
      }
      if (!validValue(header.value())) {
        throw new InvalidHeaderException(
            "net/http: invalid header field value for " + GoQuote.of(name));
      }
      switch (name.toLowerCase(Locale.ROOT)) {
        case "host" -> {
          continue;
        }
        case "user-agent" -> {
          userAgentSet = true;
          if (header.value().isEmpty()) {
            continue;
          }
        }
        case "accept" -> acceptSet = true;
        default -> {}
      }
      out.append(name).append(": ").append(header.value()).append("\r\n");
    }
    if (!userAgentSet) {
      out.append("User-Agent: ").append(userAgent).append("\r\n");
    }
    if (!acceptSet) {
      out.append("Accept: */*\r\n");
    }
    out.append("Connection: close\r\n\r\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** RFC 9110 {@code token}: what Go's {@code httpguts.ValidHeaderFieldName} accepts. */
  private static boolean token(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** No control characters but tab, as Go's {@code httpguts.ValidHeaderFieldValue}. */
  private static boolean validValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < ' ' && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }
}
