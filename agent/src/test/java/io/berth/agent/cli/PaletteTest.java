package io.berth.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PaletteTest {
  @Test
  void colourOnlyOnATerminalWithoutNoColorOrADumbTerm() {
    assertThat(Palette.wanted(Map.of(), true)).isTrue();
    assertThat(Palette.wanted(Map.of(), false)).isFalse();
    assertThat(Palette.wanted(Map.of("NO_COLOR", "1"), true)).isFalse();
    assertThat(Palette.wanted(Map.of("NO_COLOR", ""), true)).isTrue();
    assertThat(Palette.wanted(Map.of("TERM", "dumb"), true)).isFalse();
  }

  @Test
  void statusWordsAreColouredByMeaningAndPaddingIsKept() {
    Palette on = new Palette(true);
    assertThat(on.status("Running   ")).isEqualTo("\u001b[32mRunning\u001b[0m   ");
    assertThat(on.status("ContainerCreating")).isEqualTo("\u001b[33mContainerCreating\u001b[0m");
    assertThat(on.status("CrashLoopBackOff")).isEqualTo("\u001b[31mCrashLoopBackOff\u001b[0m");
    assertThat(on.status("<none>")).isEqualTo("<none>");
    assertThat(Palette.NONE.status("CrashLoopBackOff")).isEqualTo("CrashLoopBackOff");
  }
}
