package io.berth.metrics.summary;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * Serializes a {@link Summary} the way the kubelet does: indented JSON, {@code null}s omitted,
 * times as RFC 3339 in UTC with whole seconds.
 *
 * <p>Thread safety: the mapper is configured once; safe to share.
 */
public final class SummaryJson {
  private final ObjectMapper mapper;
  private final ObjectWriter writer;

  public SummaryJson() {
    SimpleModule times = new SimpleModule("berth-metav1-time");
    times.addSerializer(Instant.class, new MetaV1TimeSerializer());
    mapper =
        new ObjectMapper()
            .registerModule(times)
            .setDefaultPropertyInclusion(
                JsonInclude.Value.construct(
                    JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL));
    // Go's json.MarshalIndent layout: `"key": value`, arrays broken over lines, two spaces.
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"))
            .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
    writer = mapper.writer(printer);
  }

  /** The JSON text of {@code summary}. */
  public String write(Summary summary) {
    try {
      return writer.writeValueAsString(summary);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot serialize the stats summary", e);
    }
  }

  /** {@code metav1.Time}: RFC 3339, seconds precision, UTC. */
  private static final class MetaV1TimeSerializer extends StdSerializer<Instant> {
    private static final long serialVersionUID = 1L;

    MetaV1TimeSerializer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(DateTimeFormatter.ISO_INSTANT.format(value.truncatedTo(ChronoUnit.SECONDS)));
    }
  }
}
