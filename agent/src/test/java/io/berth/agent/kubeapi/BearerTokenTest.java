package io.berth.agent.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokenTest {
  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();

  @Test
  void aRotatedTokenFileIsPickedUpWithinAMinute() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "first\n");
    BearerToken token = new BearerToken(Optional.empty(), Optional.of(file), clock);
    assertThat(token.current()).contains("first");
    Files.writeString(file, "second");
    clock.advance(Duration.ofSeconds(30));
    assertThat(token.current()).as("cached for a minute").contains("first");
    clock.advance(Duration.ofSeconds(30));
    assertThat(token.current()).contains("second");
  }

  @Test
  void anUnreadableFileKeepsTheLastGoodToken() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "good");
    BearerToken token = new BearerToken(Optional.empty(), Optional.of(file), clock);
    assertThat(token.current()).contains("good");
    Files.delete(file);
    clock.advance(Duration.ofMinutes(2));
    assertThat(token.current()).contains("good");
  }

  @Test
  void aStaticTokenIsSentAsIs() {
    assertThat(new BearerToken(Optional.of("t"), Optional.empty(), clock).current()).contains("t");
    assertThat(new BearerToken(Optional.empty(), Optional.empty(), clock).current()).isEmpty();
  }
}
