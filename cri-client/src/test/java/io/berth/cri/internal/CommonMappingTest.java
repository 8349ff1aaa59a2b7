package io.berth.cri.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.cri.LinuxContainerResources;
import io.berth.cri.Mount;
import io.berth.cri.NamespaceMode;
import io.berth.cri.NamespaceOptions;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommonMappingTest {

  @Test
  void timesAreNanosecondsSinceEpochAndZeroIsUnset() {
    Instant t = Instant.parse("2026-11-24T06:41:44.734934105Z");

    assertThat(CommonMapping.epochNanos(t)).isEqualTo(1_795_502_504_734_934_105L);
    assertThat(CommonMapping.instant(1_795_502_504_734_934_105L)).isEqualTo(t);
    assertThat(CommonMapping.instant(0)).isNull();
    assertThat(CommonMapping.epochNanos(null)).isZero();
    assertThat(CommonMapping.instant(-1))
        .isEqualTo(Instant.parse("1969-12-31T23:59:59.999999999Z"));
  }

  @Test
  void namespaceOptionsRoundTrip() {
    var options =
        new NamespaceOptions(NamespaceMode.NODE, NamespaceMode.TARGET, NamespaceMode.POD, "ctr-9");

    assertThat(CommonMapping.fromProto(CommonMapping.toProto(options))).isEqualTo(options);
  }

  @Test
  void mountsRoundTrip() {
    for (Mount.Propagation p : Mount.Propagation.values()) {
      var mount = new Mount("/in", "/out", true, true, p);
      assertThat(CommonMapping.fromProto(CommonMapping.toProto(mount))).isEqualTo(mount);
    }
  }

  @Test
  void resourcesRoundTrip() {
    var r =
        new LinuxContainerResources(
            100_000,
            50_000,
            256,
            1L << 30,
            -999,
            "0-3",
            "0",
            Map.of("2MB", 2L << 20, "1GB", 1L << 30),
            Map.of("memory.high", "max"),
            2L << 30);

    assertThat(CommonMapping.fromProto(CommonMapping.toProto(r))).isEqualTo(r);
  }
}
