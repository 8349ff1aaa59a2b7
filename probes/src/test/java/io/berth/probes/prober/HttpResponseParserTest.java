package io.berth.probes.prober;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.probes.prober.HttpResponseParser.Broken;
import io.berth.probes.prober.HttpResponseParser.Response;
import io.berth.probes.prober.HttpResponseParser.Result;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The probe's response reader, fed bytes as a socket could deliver them: whole, split, trickled.
 */
class HttpResponseParserTest {
  private static final String CHUNKED =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Other: 1\r\n\r\n"
          + "3\r\nabc\r\n4;name=value\r\ndefg\r\n0\r\nTrailer: x\r\n\r\n";

  /** Feeds {@code parts} in order; ends the input after them unless the parser finished. */
  private static Result parse(boolean closeAfter, String... parts) {
    var parser = new HttpResponseParser();
    var buffers = new ArrayList<ByteBuf>();
    try {
      for (var part : parts) {
        var buf = Unpooled.copiedBuffer(part, StandardCharsets.ISO_8859_1);
        buffers.add(buf);
        if (parser.feed(buf)) {
          return parser.result();
        }
      }
      if (!closeAfter) {
        return null;
      }
      parser.endOfInput();
      return parser.result();
    } finally {
      buffers.forEach(ByteBuf::release);
    }
  }

  private static Response ok(String body) {
    return new Response(200, Optional.empty(), body, Optional.empty());
  }

  @Test
  void contentLengthBodyInOneRead() {
    assertThat(parse(false, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")).isEqualTo(ok("ok"));
  }

  @Test
  void everySplitPointGivesTheSameResponse() {
    for (var text :
        List.of(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
            CHUNKED,
            "HTTP/1.0 302 Found\nLocation: /next\nContent-Length: 0\n\n")) {
      var whole = parse(false, text);
      assertThat(whole).as(text).isNotNull();
      for (int i = 1; i < text.length(); i++) {
        assertThat(parse(false, text.substring(0, i), text.substring(i)))
            .as("split at %d of %s", i, text)
            .isEqualTo(whole);
      }
    }
    assertThat(parse(false, CHUNKED)).isEqualTo(ok("abcdefg"));
    assertThat(parse(false, "HTTP/1.0 302 Found\nLocation: /next\nContent-Length: 0\n\n"))
        .isEqualTo(new Response(302, Optional.of("/next"), "", Optional.empty()));
  }

  @Test
  void oneByteAtATime() {
    var bytes = CHUNKED.split("");
    assertThat(parse(false, bytes)).isEqualTo(ok("abcdefg"));
  }

  @Test
  void bodiesAreCutAt10KiB() {
    var big = "x".repeat(20_000);
    var fixed = parse(false, "HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n", big);
    assertThat(((Response) fixed).body()).hasSize(HttpProber.MAX_BODY_BYTES);
    var chunk = Integer.toHexString(4000) + "\r\n" + "y".repeat(4000) + "\r\n";
    var chunked =
        parse(
            false, "HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n", chunk, chunk, chunk);
    assertThat(((Response) chunked).body()).hasSize(HttpProber.MAX_BODY_BYTES);
    assertThat(((Response) chunked).status()).isEqualTo(500);
    // The limit ends the response without waiting for the rest: an endless body is fine.
    assertThat(parse(false, "HTTP/1.1 200 OK\r\n\r\n", big)).isEqualTo(ok(big.substring(0, 10240)));
  }

  @Test
  void withoutLengthTheBodyEndsWithTheConnection() {
    assertThat(parse(false, "HTTP/1.1 200 OK\r\n\r\npart one, ")).isNull();
    assertThat(parse(true, "HTTP/1.1 200 OK\r\n\r\npart one, ", "part two"))
        .isEqualTo(ok("part one, part two"));
  }

  @Test
  void noBodyFor204And304AndSkippedInformationalAnswers() {
    assertThat(parse(false, "HTTP/1.1 204 No Content\r\n\r\n"))
        .isEqualTo(new Response(204, Optional.empty(), "", Optional.empty()));
    assertThat(
            parse(
                false,
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!"))
        .isEqualTo(ok("!"));
  }

  @Test
  void garbageBreaksWithGoWording() {
    assertThat(parse(true, "SSH-2.0-OpenSSH_9.2\r\n\r\nnot http at all\r\n"))
        .isEqualTo(
            new Broken(
                "net/http: HTTP/1.x transport connection broken: malformed HTTP response"
                    + " \"SSH-2.0-OpenSSH_9.2\""));
    // A TLS server's alert to a plain-HTTP request, ended by close without a newline.
    assertThat(parse(true, "\u0015\u0003\u0001\u0000\u0002\u0002\u0028"))
        .isEqualTo(
            new Broken(
                "net/http: HTTP/1.x transport connection broken: malformed HTTP response"
                    + " \"\\x15\\x03\\x01\\x00\\x02\\x02(\""));
    assertThat(parse(true, "HTTP/1.1 2OO OK\r\n\r\n"))
        .isEqualTo(
            new Broken(
                "net/http: HTTP/1.x transport connection broken: malformed HTTP status code"
                    + " \"2OO\""));
    assertThat(parse(true, "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n"))
        .isEqualTo(
            new Broken(
                "net/http: HTTP/1.x transport connection broken: bad Content-Length \"1x\""));
    assertThat(parse(true, "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"))
        .isEqualTo(
            new Broken(
                "net/http: HTTP/1.x transport connection broken: malformed MIME header line:"
                    + " no colon here"));
  }

  @Test
  void endsBeforeTheAnswerIsComplete() {
    assertThat(parse(true)).isEqualTo(new Broken("EOF"));
    assertThat(parse(true, "HTTP/1.1 200 OK\r\nContent-"))
        .isEqualTo(new Broken("net/http: HTTP/1.x transport connection broken: unexpected EOF"));
    assertThat(parse(true, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"))
        .isEqualTo(new Response(200, Optional.empty(), "abc", Optional.of("unexpected EOF")));
    assertThat(parse(true, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"))
        .isEqualTo(new Response(200, Optional.empty(), "ab", Optional.of("unexpected EOF")));
    assertThat(parse(true, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))
        .isEqualTo(
            new Response(200, Optional.empty(), "", Optional.of("invalid byte in chunk length")));
  }

  @Test
  void anOversizedHeadIsRefused() {
    var header = "X-Big: " + "b".repeat(1000) + "\r\n";
    var parts = new ArrayList<String>();
    parts.add("HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 20; i++) {
      parts.add(header);
    }
    assertThat(parse(true, parts.toArray(String[]::new)))
        .isEqualTo(new Broken("net/http: server response headers exceeded 16384 bytes; aborted"));
  }
}
