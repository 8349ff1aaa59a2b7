package io.berth.agent.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * gzip for the routes that Prometheus scrapes, as the kubelet's promhttp handlers do it: a client
 * that accepts gzip ({@code Accept-Encoding: gzip}, which Prometheus sends) gets the body gzipped
 * with {@code Content-Encoding: gzip}; any other client gets it as it is. Both answers carry {@code
 * Vary: Accept-Encoding}.
 *
 * <p>The level is the fastest (1), not Go's default (6) that promhttp uses: on a text like a
 * 110-pod {@code /metrics/cadvisor} answer, level 6 took about 2.5 times the CPU of level 1 for
 * about a tenth fewer bytes, and a node pays the scrape's CPU every 10–15 s.
 *
 * <p>The header is read as RFC 9110 defines it: {@code gzip} or {@code x-gzip} with a non-zero
 * {@code q}, or {@code *} with a non-zero {@code q} when gzip is not named ({@code gzip;q=0}
 * refuses it). promhttp ignores {@code q}; for what Prometheus sends the two agree.
 *
 * <p>Thread safety: stateless.
 */
public final class GzipNegotiation {
  private GzipNegotiation() {}

  /** {@code handler}, whose 200 answers are gzipped for the clients that accept it. */
  public static HttpHandler negotiated(HttpHandler handler) {
    return request -> encode(handler.handle(request), request.acceptEncoding());
  }

  /** {@code reply} coded for a client that sent {@code acceptEncoding} (null or "": none). */
  public static HttpReply encode(HttpReply reply, String acceptEncoding) {
    if (reply.status() != 200 || reply.coding() != ContentCoding.FIXED) {
      return reply;
    }
    if (!acceptsGzip(acceptEncoding)) {
      return new HttpReply(
          reply.status(), reply.contentType(), reply.body(), ContentCoding.IDENTITY);
    }
    return new HttpReply(
        reply.status(), reply.contentType(), gzip(reply.body()), ContentCoding.GZIP);
  }

  /** Whether an {@code Accept-Encoding} header value accepts gzip. */
  public static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null || acceptEncoding.isBlank()) {
      return false;
    }
    Boolean named = null;
    boolean wildcard = false;
    for (String element : acceptEncoding.split(",")) {
      String[] parts = element.split(";");
      String coding = parts[0].trim().toLowerCase(Locale.ROOT);
      boolean accepted = weight(parts) > 0;
      if (coding.equals("gzip") || coding.equals("x-gzip")) {
        named = named == null ? accepted : named || accepted;
      } else if (coding.equals("*")) {
        wildcard = wildcard || accepted;
      }
    }
    return named != null ? named : wildcard;
  }

  /** The {@code q} of one element (1 without one; 0 for a malformed one, as not acceptable). */
  private static double weight(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim().toLowerCase(Locale.ROOT);
      if (p.startsWith("q=")) {
        try {
          double q = Double.parseDouble(p.substring(2).trim());
          return q >= 0 && q <= 1 ? q : 0;
        } catch (NumberFormatException bad) {
          return 0;
        }
      }
    }
    return 1;
  }

  static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 4));
    try (GZIPOutputStream gz = new FastestGzip(out)) {
      gz.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot gzip a reply in memory: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /** gzip at {@link Deflater#BEST_SPEED}, set before anything is deflated. */
  private static final class FastestGzip extends GZIPOutputStream {
    FastestGzip(ByteArrayOutputStream out) throws IOException {
      super(out, 16 * 1024);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }
}
