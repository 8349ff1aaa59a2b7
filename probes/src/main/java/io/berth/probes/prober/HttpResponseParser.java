package io.berth.probes.prober;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads one HTTP/1.x response off a probe's connection, no more than a probe needs: the status
 * line, three headers ({@code Location}, {@code Content-Length}, {@code Transfer-Encoding}) and at
 * most {@link HttpProber#MAX_BODY_BYTES} of the body, de-chunked. Every other header is skipped
 * without being decoded. Replaces Netty's {@code HttpClientCodec}, whose header maps, message
 * objects and content copies cost more than the rest of a probe's user-space work (probes/README
 * "Session 6").
 *
 * <p>As Go's {@code net/http} client (the kubelet's), errors say what was wrong with Go's wording:
 * {@code malformed HTTP response "SSH-2.0-OpenSSH_9.2"}, {@code malformed HTTP status code "2x"},
 * {@code unexpected EOF}; informational answers (1xx but 101) are skipped; 1xx, 204 and 304 have no
 * body; without {@code Content-Length} or chunking, the body ends when the server closes.
 *
 * <pre>
 *   STATUS_LINE ─▶ HEADERS ─┬─ no body ───────────────────────────────▶ done
 *                           ├─ Content-Length ─▶ FIXED ──────────────▶ done
 *                           ├─ chunked ─▶ CHUNK_SIZE ⇄ CHUNK_DATA ─────▶ done (last chunk)
 *                           └─ otherwise ─▶ UNTIL_CLOSE ─▶ end of input ▶ done
 *   10 KiB of body in any state ─▶ done (the rest is not read)
 * </pre>
 *
 * <p>Thread safety: none; one parser per response, used on its channel's event loop.
 */
final class HttpResponseParser {
  /**
   * Status line and headers together. Go allows 10 MB; a probe's answer needs far less, and every
   * probe in flight may hold this much while a head arrives (Netty's codec, used before, allowed a
   * 4 KiB status line and 8 KiB of headers).
   */
  static final int MAX_HEAD_BYTES = 16 * 1024;

  /** What the connection gave, once {@link #feed} returned true or {@link #endOfInput} ran. */
  sealed interface Result {}

  /**
   * A response whose head was read.
   *
   * @param location the {@code Location} header, if any
   * @param body at most {@link HttpProber#MAX_BODY_BYTES} of the body, as UTF-8
   * @param bodyError why the body could not be read to its end or its limit (the kubelet's probe
   *     then ends with an error, which its worker throws away), e.g. {@code unexpected EOF}
   */
  record Response(int status, Optional<String> location, String body, Optional<String> bodyError)
      implements Result {}

  /** The response could not be read: Go's client error text, e.g. {@code EOF}. */
  record Broken(String reason) implements Result {}

  /** Go's prefix for a response that broke while its head was read. */
  static final String BROKEN = "net/http: HTTP/1.x transport connection broken: ";

  private static final int MAX_INFORMATIONAL = 5;

  private enum State {
    STATUS_LINE,
    HEADERS,
    FIXED,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_DATA_END,
    UNTIL_CLOSE,
    DONE
  }

  private State state = State.STATUS_LINE;
  private ByteBuf pending; // a line split over reads
  private boolean sawBytes;
  private int headBytes;
  private int informational;

  private int status;
  private String location;
  private long contentLength = -1;
  private boolean chunked;
  private long remaining; // of the fixed-length body or the current chunk

  private byte[] body;
  private int bodyLength;
  private String bodyText; // the whole body when it came in one piece (no copy into body[])
  private Result result;

  /**
   * Consumes {@code in} (not released); returns true once the response is complete, cut at the body
   * limit, or broken: then {@link #result()} says which, and the connection can be closed.
   */
  boolean feed(ByteBuf in) {
    if (state == State.DONE) {
      return true;
    }
    if (in.isReadable()) {
      sawBytes = true;
    }
    ByteBuf buf = in;
    if (pending != null) {
      pending.writeBytes(in);
      buf = pending;
    }
    while (state != State.DONE && buf.isReadable()) {
      if (!step(buf)) {
        break; // needs more input
      }
    }
    if (state == State.DONE) {
      releasePending();
      return true;
    }
    if (buf.isReadable()) { // an incomplete line: keep it for the next read
      if (buf == pending) {
        pending.discardReadBytes();
      } else {
        pending = Unpooled.buffer(Math.max(128, buf.readableBytes() * 2));
        pending.writeBytes(buf);
      }
    } else {
      releasePending();
    }
    return false;
  }

  /** The connection ended (closed or reset by the server) before {@link #feed} returned true. */
  void endOfInput() {
    if (state == State.DONE) {
      return;
    }
    if (state == State.STATUS_LINE && pending != null && pending.isReadable()) {
      // Go reads a last line without a newline as a line too: a TLS server's alert to a
      // plain-HTTP probe becomes "malformed HTTP response" with the alert's bytes quoted.
      statusLine(pending, pending.readerIndex(), pending.writerIndex());
      if (state == State.DONE) {
        releasePending();
        return;
      }
    }
    switch (state) {
      case STATUS_LINE -> broken(sawBytes ? BROKEN + "unexpected EOF" : "EOF");
      case HEADERS -> broken(BROKEN + "unexpected EOF");
      case UNTIL_CLOSE -> respond(Optional.empty());
      default -> respond(Optional.of("unexpected EOF"));
    }
    releasePending();
  }

  /** The result; only valid once the response is done. */
  Result result() {
    if (result == null) {
      throw new IllegalStateException("the response has not been read yet (state " + state + ")");
    }
    return result;
  }

  /** Releases what the parser holds (a partial line) if it is abandoned before the end. */
  void release() {
    releasePending();
  }

  /** One step; false when {@code buf} ends inside a line that this state needs whole. */
  private boolean step(ByteBuf buf) {
    return switch (state) {
      case STATUS_LINE, HEADERS, CHUNK_SIZE, CHUNK_DATA_END -> line(buf);
      case FIXED, CHUNK_DATA -> {
        int n = (int) Math.min(remaining, buf.readableBytes());
        appendBody(buf, n, state == State.FIXED && remaining == n && bodyLength == 0);
        remaining -= n;
        if (state == State.DONE) {
          yield true;
        }
        if (remaining == 0) {
          if (state == State.FIXED) {
            respond(Optional.empty());
          } else {
            state = State.CHUNK_DATA_END;
          }
        }
        yield true;
      }
      case UNTIL_CLOSE -> {
        appendBody(buf, buf.readableBytes(), false);
        yield true;
      }
      case DONE -> true;
    };
  }

  /** Handles one CRLF- (or LF-) terminated line of {@code buf}, if it holds a whole one. */
  private boolean line(ByteBuf buf) {
    int start = buf.readerIndex();
    int lf = buf.indexOf(start, buf.writerIndex(), (byte) '\n');
    boolean head = state == State.STATUS_LINE || state == State.HEADERS;
    if (lf < 0) {
      if (head && headBytes + buf.readableBytes() > MAX_HEAD_BYTES) {
        broken("net/http: server response headers exceeded " + MAX_HEAD_BYTES + " bytes; aborted");
      } else if (!head && buf.readableBytes() > 4096) {
        respond(Optional.of("http chunk length too large")); // Go's limit is 4 KiB per line too
      }
      return false;
    }
    int end = lf > start && buf.getByte(lf - 1) == '\r' ? lf - 1 : lf;
    buf.readerIndex(lf + 1);
    if (head) {
      headBytes += lf + 1 - start;
      if (headBytes > MAX_HEAD_BYTES) {
        broken("net/http: server response headers exceeded " + MAX_HEAD_BYTES + " bytes; aborted");
        return true;
      }
    }
    switch (state) {
      case STATUS_LINE -> statusLine(buf, start, end);
      case HEADERS -> {
        if (end == start) {
          endOfHead();
        } else {
          header(buf, start, end);
        }
      }
      case CHUNK_SIZE -> chunkSize(buf, start, end);
      case CHUNK_DATA_END -> {
        if (end != start) {
          respond(Optional.of("malformed chunked encoding"));
        } else {
          state = State.CHUNK_SIZE;
        }
      }
      default -> throw new IllegalStateException("not a line state: " + state);
    }
    return true;
  }

  /** {@code HTTP/1.1 200 OK}, checked as Go's {@code http.ReadResponse} checks it. */
  private void statusLine(ByteBuf buf, int start, int end) {
    int sp = indexOf(buf, start, end, (byte) ' ');
    if (sp < 0) {
      broken(BROKEN + "malformed HTTP response " + GoQuote.of(buf, start, end));
      return;
    }
    int codeStart = sp + 1;
    while (codeStart < end && buf.getByte(codeStart) == ' ') {
      codeStart++;
    }
    int codeEnd = indexOf(buf, codeStart, end, (byte) ' ');
    if (codeEnd < 0) {
      codeEnd = end;
    }
    int code = codeEnd - codeStart == 3 ? threeDigits(buf, codeStart) : -1;
    if (code < 0) {
      broken(BROKEN + "malformed HTTP status code " + GoQuote.of(buf, codeStart, codeEnd));
      return;
    }
    if (!httpVersion(buf, start, sp)) {
      broken(BROKEN + "malformed HTTP version " + GoQuote.of(buf, start, sp));
      return;
    }
    status = code;
    state = State.HEADERS;
  }

  /** One header line; only the three a probe needs are decoded. */
  private void header(ByteBuf buf, int start, int end) {
    byte first = buf.getByte(start);
    if (first == ' ' || first == '\t') {
      return; // obsolete line folding: a continuation of a header a probe does not read
    }
    int colon = indexOf(buf, start, end, (byte) ':');
    if (colon < 0) {
      broken(BROKEN + "malformed MIME header line: " + buf.toString(start, end - start, ASCII));
      return;
    }
    int nameLength = colon - start;
    if (nameLength == 8 && nameIs(buf, start, "location")) {
      location = value(buf, colon + 1, end);
    } else if (nameLength == 14 && nameIs(buf, start, "content-length")) {
      var text = value(buf, colon + 1, end);
      long n = parseLength(text);
      if (n < 0 || (contentLength >= 0 && n != contentLength)) {
        broken(BROKEN + "bad Content-Length " + GoQuote.of(text));
        return;
      }
      contentLength = n;
    } else if (nameLength == 17 && nameIs(buf, start, "transfer-encoding")) {
      var text = value(buf, colon + 1, end);
      if (!text.equalsIgnoreCase("chunked")) {
        broken(BROKEN + "unsupported transfer encoding: " + GoQuote.of(text));
        return;
      }
      chunked = true;
    }
  }

  private void endOfHead() {
    if (status >= 100 && status < 200 && status != 101) {
      if (++informational > MAX_INFORMATIONAL) {
        broken(BROKEN + "too many 1xx informational responses");
        return;
      }
      status = 0;
      location = null;
      contentLength = -1;
      chunked = false;
      state = State.STATUS_LINE; // Go skips informational answers and reads the next one
      return;
    }
    if (status < 200 || status == 204 || status == 304) {
      respond(Optional.empty());
    } else if (chunked) {
      state = State.CHUNK_SIZE;
    } else if (contentLength >= 0) {
      remaining = contentLength;
      state = State.FIXED;
      if (remaining == 0) {
        respond(Optional.empty());
      }
    } else {
      state = State.UNTIL_CLOSE;
    }
  }

  private void chunkSize(ByteBuf buf, int start, int end) {
    int semicolon = indexOf(buf, start, end, (byte) ';');
    int digitsEnd = semicolon < 0 ? end : semicolon;
    while (digitsEnd > start
        && (buf.getByte(digitsEnd - 1) == ' ' || buf.getByte(digitsEnd - 1) == '\t')) {
      digitsEnd--;
    }
    long size = 0;
    if (digitsEnd == start || digitsEnd - start > 15) {
      respond(Optional.of("invalid byte in chunk length"));
      return;
    }
    for (int i = start; i < digitsEnd; i++) {
      int d = Character.digit(buf.getByte(i), 16);
      if (d < 0) {
        respond(Optional.of("invalid byte in chunk length"));
        return;
      }
      size = size * 16 + d;
    }
    if (size == 0) {
      respond(Optional.empty()); // the last chunk; trailers are not read
    } else {
      remaining = size;
      state = State.CHUNK_DATA;
    }
  }

  /**
   * Takes {@code n} body bytes from {@code buf}, up to the body limit; at the limit the response is
   * done. {@code whole}: these bytes are the entire body, so they become the text directly.
   */
  private void appendBody(ByteBuf buf, int n, boolean whole) {
    int room = HttpProber.MAX_BODY_BYTES - bodyLength;
    int take = Math.min(n, room);
    if (whole && take == n) {
      bodyText = buf.toString(buf.readerIndex(), n, StandardCharsets.UTF_8);
      bodyLength = n;
    } else if (take > 0) {
      if (body == null || body.length < bodyLength + take) {
        int size =
            (int) Math.min(HttpProber.MAX_BODY_BYTES, Math.max(256, 2L * (bodyLength + take)));
        body = body == null ? new byte[size] : java.util.Arrays.copyOf(body, size);
      }
      buf.getBytes(buf.readerIndex(), body, bodyLength, take);
      bodyLength += take;
    }
    buf.skipBytes(n);
    if (bodyLength >= HttpProber.MAX_BODY_BYTES) {
      respond(Optional.empty()); // the kubelet reads 10 KiB and drops the rest
    }
  }

  private void respond(Optional<String> bodyError) {
    String text =
        bodyText != null
            ? bodyText
            : body == null ? "" : new String(body, 0, bodyLength, StandardCharsets.UTF_8);
    result = new Response(status, Optional.ofNullable(location), text, bodyError);
    state = State.DONE;
  }

  private void broken(String reason) {
    result = new Broken(reason);
    state = State.DONE;
  }

  private void releasePending() {
    if (pending != null) {
      pending.release();
      pending = null;
    }
  }

  private static final java.nio.charset.Charset ASCII = StandardCharsets.ISO_8859_1;

  private static int indexOf(ByteBuf buf, int from, int to, byte b) {
    return from >= to ? -1 : buf.indexOf(from, to, b);
  }

  private static int threeDigits(ByteBuf buf, int at) {
    int code = 0;
    for (int i = at; i < at + 3; i++) {
      int d = buf.getByte(i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      code = code * 10 + d;
    }
    return code;
  }

  /** {@code HTTP/major.minor} with one or more digits each, as Go's {@code ParseHTTPVersion}. */
  private static boolean httpVersion(ByteBuf buf, int start, int end) {
    if (end - start < 8
        || buf.getByte(start) != 'H'
        || buf.getByte(start + 1) != 'T'
        || buf.getByte(start + 2) != 'T'
        || buf.getByte(start + 3) != 'P'
        || buf.getByte(start + 4) != '/') {
      return false;
    }
    int dot = indexOf(buf, start + 5, end, (byte) '.');
    return dot > start + 5
        && dot < end - 1
        && digits(buf, start + 5, dot)
        && digits(buf, dot + 1, end);
  }

  private static boolean digits(ByteBuf buf, int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = buf.getByte(i);
      if (b < '0' || b > '9') {
        return false;
      }
    }
    return true;
  }

  /** Whether the bytes at {@code at} are {@code lower} (ASCII, compared case-insensitively). */
  private static boolean nameIs(ByteBuf buf, int at, String lower) {
    for (int i = 0; i < lower.length(); i++) {
      int b = buf.getByte(at + i);
      if (b >= 'A' && b <= 'Z') {
        b += 'a' - 'A';
      }
      if (b != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static String value(ByteBuf buf, int from, int to) {
    while (from < to && (buf.getByte(from) == ' ' || buf.getByte(from) == '\t')) {
      from++;
    }
    while (to > from && (buf.getByte(to - 1) == ' ' || buf.getByte(to - 1) == '\t')) {
      to--;
    }
    return buf.toString(from, to - from, StandardCharsets.UTF_8);
  }

  /** A decimal Content-Length, or -1 (signs, spaces inside, overflow: Go rejects them too). */
  private static long parseLength(String text) {
    if (text.isEmpty() || text.length() > 18) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
