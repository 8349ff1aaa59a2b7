package io.berth.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which Accept-Encoding headers get gzip, and what a gzipped reply holds. */
class GzipNegotiationTest {

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        "gzip | true", // Prometheus
        "gzip, deflate, br | true", // curl --compressed, browsers
        "deflate, gzip;q=1.0, *;q=0.5 | true",
        "GZIP | true",
        "x-gzip | true",
        "* | true",
        "gzip;q=0.001 | true",
        "null | false",
        "'' | false",
        "identity | false",
        "deflate, br | false",
        "gzip;q=0 | false",
        "gzip; q=0.000, * | false", // named with q=0: refused even with the wildcard
        "*;q=0 | false",
        "gzip;q=nonsense | false",
        "gzip;q=2 | false",
      })
  void acceptsGzipAsRfc9110Reads(String header, boolean accepted) {
    assertThat(GzipNegotiation.acceptsGzip(header)).isEqualTo(accepted);
  }

  @Test
  void aGzippedReplyHoldsTheSameBodyAndSaysSo() throws Exception {
    HttpReply plain = HttpReply.ok("text/plain; version=0.0.4", "metric_a 1\n".repeat(100));
    HttpReply zipped = GzipNegotiation.encode(plain, "gzip");
    assertThat(zipped.coding()).isEqualTo(ContentCoding.GZIP);
    assertThat(zipped.contentType()).isEqualTo(plain.contentType());
    try (var in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("metric_a 1\n".repeat(100));
    }

    HttpReply identity = GzipNegotiation.encode(plain, "");
    assertThat(identity.coding()).isEqualTo(ContentCoding.IDENTITY);
    assertThat(identity.body()).isSameAs(plain.body());
  }

  @Test
  void errorsAreNotCompressed() {
    HttpReply error = HttpReply.text(500, "internal error\n");
    assertThat(GzipNegotiation.encode(error, "gzip")).isSameAs(error);
  }
}
