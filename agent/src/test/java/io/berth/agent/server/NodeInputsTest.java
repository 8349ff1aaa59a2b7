package io.berth.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.agent.testing.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Paths and query strings of the node API: what passes and what is refused. */
class NodeInputsTest {
  @TempDir Path dir;

  @Test
  void podPathsSplitIntoCheckedNames() {
    assertEquals(
        Optional.of(new NodePaths("containerLogs", "default", "web.v1", "app")),
        NodePaths.parse("/containerLogs/default/web.v1/app"));
    assertEquals(
        Optional.of(new NodePaths("exec", "ns", "p", "c")),
        NodePaths.parse("/exec/ns/p/1f6e6d9a-0000-4000-8000-000000000001/c"));
    assertEquals(
        Optional.of(new NodePaths("portForward", "ns", "p", null)),
        NodePaths.parse("/portForward/ns/p"));
    assertEquals(Optional.empty(), NodePaths.parse("/containerLogs/ns/p"));
    assertEquals(Optional.empty(), NodePaths.parse("/pods"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/containerLogs/ns/p/..",
        "/containerLogs/../p/c",
        "/containerLogs/ns/../c",
        "/containerLogs/ns/p/.",
        "/containerLogs/ns/p/c%2F..",
        "/containerLogs/ns/p/C",
        "/containerLogs/ns/p/",
        "/containerLogs/ns//c",
        "/exec/ns/p/c\u0000",
        "/exec/ns/p/../c",
        "/portForward/ns/p/..",
      })
  void namesThatCouldLeaveADirectoryAreBadRequests(String path) {
    assertThrows(NodeApiException.BadRequest.class, () -> NodePaths.parse(path));
  }

  @Test
  void logOptionsParseAsTheKubeletsAndRefuseBadValuesWithoutEchoingThem() {
    FakeClock clock = new FakeClock(Instant.parse("2026-11-24T10:00:00Z"));
    ContainerLogOptions o =
        ContainerLogOptions.parse(
            Map.of(
                "follow", List.of("true"),
                "timestamps", List.of("1"),
                "tailLines", List.of("5"),
                "limitBytes", List.of("100"),
                "sinceSeconds", List.of("60")),
            clock);
    assertTrue(o.follow());
    assertTrue(o.timestamps());
    assertFalse(o.previous());
    assertEquals(Optional.of(5), o.tailLines());
    assertEquals(Optional.of(100L), o.limitBytes());
    assertEquals(Optional.of(Instant.parse("2026-11-24T09:59:00Z")), o.since());
    for (Map<String, List<String>> bad :
        List.of(
            Map.of("follow", List.of("<script>")),
            Map.of("tailLines", List.of("-1")),
            Map.of("tailLines", List.of("../../etc/passwd")),
            Map.of("limitBytes", List.of("0")),
            Map.of("sinceSeconds", List.of("0")),
            Map.of("sinceTime", List.of("yesterday<script>")),
            Map.of("sinceTime", List.of("2026-11-24T09:59:00Z"), "sinceSeconds", List.of("5")))) {
      var e =
          assertThrows(
              NodeApiException.BadRequest.class, () -> ContainerLogOptions.parse(bad, clock));
      assertFalse(e.getMessage().contains("<"), e.getMessage());
      assertFalse(e.getMessage().contains("passwd"), e.getMessage());
    }
  }

  @Test
  void nodeLogsServeFilesAndListingsInsideTheDirectoryOnly() throws Exception {
    Path root = Files.createDirectory(dir.resolve("log"));
    Files.writeString(root.resolve("syslog"), "hello\n");
    Files.createDirectory(root.resolve("apt"));
    Files.writeString(root.resolve("apt/history.log"), "apt\n");
    Files.writeString(dir.resolve("secret"), "no\n");
    Files.createSymbolicLink(root.resolve("escape"), dir.resolve("secret"));
    Files.createSymbolicLink(root.resolve("up"), dir);
    Files.createSymbolicLink(root.resolve("inside"), root.resolve("syslog"));
    NodeLogDirectory logs = new NodeLogDirectory(root);
    assertEquals(
        Optional.of(new NodeLogDirectory.Entry.Directory("apt/\nescape\ninside\nsyslog\nup/\n")),
        logs.resolve(""));
    assertEquals(
        Optional.of(new NodeLogDirectory.Entry.File(root.resolve("syslog").toRealPath(), 6)),
        logs.resolve("syslog"));
    assertTrue(logs.resolve("apt/history.log").isPresent());
    assertTrue(logs.resolve("inside").isPresent(), "a symlink that stays inside is fine");
    for (String bad :
        List.of(
            "../secret",
            "apt/../../secret",
            "escape",
            "up/secret",
            "up",
            "/etc/passwd",
            "apt//x",
            "syslog\0",
            "./syslog",
            "missing")) {
      assertEquals(Optional.empty(), logs.resolve(bad), bad);
    }
  }
}
