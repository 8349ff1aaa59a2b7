package io.berth.metrics;

import io.berth.metrics.node.FilesystemStats;
import io.berth.metrics.node.NodeStats;
import io.berth.metrics.stats.InterfaceStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/** Fixture locations and the fixture pod used by the golden tests. */
public final class Fixtures {
  private Fixtures() {}

  public static final Instant T0 = Instant.parse("2026-11-24T08:40:00.250Z");
  public static final String POD_UID = "5f3c8a4e-2b7d-4c1e-9a60-7d2e1b3c4f50";
  public static final String POD_CGROUP = "/kubepods/burstable/pod" + POD_UID;
  public static final String C1 =
      "3b1f6c2d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c";
  public static final String C2 =
      "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d";

  /** A directory under src/test/resources. */
  public static Path resource(String name) {
    try {
      return Path.of(Fixtures.class.getResource("/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource " + name, e);
    }
  }

  public static String text(String name) {
    try {
      return Files.readString(resource(name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The fixture pod: "web-7d9f" in "shop" with containers "app" (C1) and "sidecar" (C2). */
  public static PodRef pod() {
    return new PodRef(
        POD_UID,
        "web-7d9f",
        "shop",
        POD_CGROUP,
        OptionalLong.of(4242),
        Instant.parse("2026-11-24T08:30:00Z"),
        List.of(
            new ContainerRef(
                "app",
                C1,
                "registry.local/shop/app:1.4 \"quoted\"",
                POD_CGROUP + "/" + C1,
                Instant.parse("2026-11-24T08:30:01.500Z")),
            new ContainerRef(
                "sidecar",
                C2,
                "registry.local/shop/sidecar:0.9",
                POD_CGROUP + "/" + C2,
                Instant.parse("2026-11-24T08:30:02Z"))));
  }

  /** Fixed node stats standing in for OSHI. */
  public static NodeStats node(Instant time, long cpuUsageNanos) {
    return new NodeStats(
        time,
        Instant.parse("2026-11-24T08:21:00Z"),
        2,
        cpuUsageNanos,
        8_340_000_000L,
        6_100_000_000L,
        2_240_000_000L,
        new FilesystemStats(
            "/", 270_465_425_408L, 85_899_345_920L, 24_696_061_952L, 16_777_216L, 15_990_000L),
        List.of(new InterfaceStats("eth0", 127151880, 3922, 0, 0, 391336, 3059, 0, 0)),
        List.of(0.07, 0.04, 0.03),
        4_194_304,
        312);
  }
}
