package io.berth.agent.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.agent.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicWriterTest {
  @TempDir Path dir;
  final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T10:00:00Z"));

  static FileProjection file(String text, int mode) {
    return new FileProjection(text.getBytes(StandardCharsets.UTF_8), mode);
  }

  @Test
  void writesFilesBehindDataSymlinkWithTheirModes() throws Exception {
    AtomicWriter w = new AtomicWriter(dir, clock, OptionalInt.empty());

    assertThat(w.write(Map.of("a", file("1", 0644), "sub/b", file("2", 0400)))).isTrue();

    assertThat(Files.readString(dir.resolve("a"))).isEqualTo("1");
    assertThat(Files.readString(dir.resolve("sub/b"))).isEqualTo("2");
    assertThat(Files.isSymbolicLink(dir.resolve("a"))).isTrue();
    assertThat(Files.readSymbolicLink(dir.resolve("a")).toString()).isEqualTo("..data/a");
    assertThat(Files.readSymbolicLink(dir.resolve("..data")).toString())
        .startsWith("..2026_11_24_10_00_00.");
    assertThat(AtomicWriter.modeOf(Files.getPosixFilePermissions(dir.resolve("a"))))
        .isEqualTo(0644);
    assertThat(AtomicWriter.modeOf(Files.getPosixFilePermissions(dir.resolve("sub/b"))))
        .isEqualTo(0400);
  }

  @Test
  void anUpdateSwapsEverythingAtOnceAndRemovesWhatIsGone() throws Exception {
    AtomicWriter w = new AtomicWriter(dir, clock, OptionalInt.empty());
    w.write(Map.of("a", file("1", 0644), "old", file("x", 0644)));
    Path firstTs = dir.resolve(Files.readSymbolicLink(dir.resolve("..data")));
    clock.advance(Duration.ofSeconds(1));

    assertThat(w.write(Map.of("a", file("2", 0644), "new", file("y", 0644)))).isTrue();

    assertThat(Files.readString(dir.resolve("a"))).isEqualTo("2");
    assertThat(Files.readString(dir.resolve("new"))).isEqualTo("y");
    assertThat(Files.exists(dir.resolve("old"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(firstTs).doesNotExist();
    try (Stream<Path> entries = Files.list(dir)) {
      List<String> names = entries.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(names).hasSize(4).contains("..data", "a", "new");
    }
  }

  @Test
  void anUnchangedPayloadWritesNothing() throws Exception {
    AtomicWriter w = new AtomicWriter(dir, clock, OptionalInt.empty());
    w.write(Map.of("a", file("1", 0644)));
    Path ts = Files.readSymbolicLink(dir.resolve("..data"));

    assertThat(w.write(Map.of("a", file("1", 0644)))).isFalse();
    assertThat(Files.readSymbolicLink(dir.resolve("..data"))).isEqualTo(ts);

    assertThat(w.write(Map.of("a", file("1", 0600)))).as("mode change is a change").isTrue();
  }

  @Test
  void aTraversingPathChangesNothingOnDisk() throws Exception {
    AtomicWriter w = new AtomicWriter(dir.resolve("vol"), clock, OptionalInt.empty());

    assertThatThrownBy(() -> w.write(Map.of("ok", file("1", 0644), "../escape", file("x", 0644))))
        .isInstanceOf(VolumeException.class)
        .hasMessageContaining("../escape")
        .hasMessageContaining("must not contain '..'");
    assertThat(dir.resolve("vol")).doesNotExist();
    assertThat(dir.resolve("escape")).doesNotExist();
  }

  @Test
  void fsGroupOwnsTheFiles() throws Exception {
    new AtomicWriter(dir, clock, OptionalInt.of(4321)).write(Map.of("a", file("1", 0440)));

    Path real = dir.resolve("a").toRealPath();
    assertThat(Files.getAttribute(real, "unix:gid")).isEqualTo(4321);
  }
}
