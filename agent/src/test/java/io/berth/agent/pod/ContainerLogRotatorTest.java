package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.agent.testing.FakeClock;
import io.berth.cri.CriCallException;
import io.berth.cri.RuntimeService;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerLogRotatorTest {
  @TempDir Path dir;
  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T10:00:00Z"));
  private final AtomicBoolean reopenFails = new AtomicBoolean();

  /** Only ReopenContainerLog: like containerd, it opens a fresh live file. */
  private RuntimeService runtimeReopening(Path live) {
    return (RuntimeService)
        Proxy.newProxyInstance(
            RuntimeService.class.getClassLoader(),
            new Class<?>[] {RuntimeService.class},
            (proxy, method, args) -> {
              if (!method.getName().equals("reopenContainerLog")) {
                throw new UnsupportedOperationException(method.getName());
              }
              if (reopenFails.get()) {
                throw new CriCallException("ReopenContainerLog", "c1", "INTERNAL", "boom", null);
              }
              Files.createFile(live);
              return null;
            });
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void rotatesCompressesOlderFilesAndKeepsAtMostMaxFiles() throws Exception {
    Path live = dir.resolve("0.log");
    RuntimeService rt = runtimeReopening(live);
    ContainerLogRotator rotator = new ContainerLogRotator(() -> rt, 10, 3, clock);
    Files.writeString(live, "first round\n");
    rotator.rotateIfNeeded(rt, "c1", live);
    assertThat(files()).containsExactly("0.log", "0.log.20261124-100000");
    assertThat(live).isEmptyFile();

    Files.writeString(live, "short\n"); // under maxSize: nothing happens
    clock.advance(Duration.ofSeconds(1));
    rotator.rotateIfNeeded(rt, "c1", live);
    assertThat(files()).containsExactly("0.log", "0.log.20261124-100000");

    Files.writeString(live, "second round\n");
    rotator.rotateIfNeeded(rt, "c1", live);
    assertThat(files())
        .containsExactly("0.log", "0.log.20261124-100000.gz", "0.log.20261124-100001");
    try (var in = new GZIPInputStream(Files.newInputStream(dir.resolve(files().get(1))))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("first round\n");
    }

    Files.writeString(live, "third round\n");
    clock.advance(Duration.ofSeconds(1));
    rotator.rotateIfNeeded(rt, "c1", live);
    assertThat(files())
        .containsExactly("0.log", "0.log.20261124-100001.gz", "0.log.20261124-100002");
  }

  @Test
  void aFailedReopenUndoesTheRenameAndLeftoversAreCleanedUp() throws Exception {
    Path live = dir.resolve("1.log");
    RuntimeService rt = runtimeReopening(live);
    ContainerLogRotator rotator = new ContainerLogRotator(() -> rt, 10, 5, clock);
    Files.writeString(dir.resolve("1.log.20261124-090000.gz.tmp"), "half");
    Files.writeString(dir.resolve("1.log.20261124-090000"), "done");
    Files.writeString(dir.resolve("1.log.20261124-090000.gz"), "done");
    Files.writeString(live, "more than ten bytes\n");
    reopenFails.set(true);
    assertThatThrownBy(() -> rotator.rotateIfNeeded(rt, "c1", live))
        .isInstanceOf(CriCallException.class);
    assertThat(files()).containsExactly("1.log", "1.log.20261124-090000.gz");
    assertThat(live).hasContent("more than ten bytes");
  }

  @Test
  void maxFilesBelowTwoIsRefused() {
    assertThatThrownBy(() -> new ContainerLogRotator(() -> null, 10, 1, clock))
        .hasMessageContaining("at least 2");
  }
}
