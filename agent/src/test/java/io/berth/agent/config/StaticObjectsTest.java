package io.berth.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticObjectsTest {
  @TempDir Path dir;

  @Test
  void configMapsAndSecretsFromFilesFollowEdits() throws Exception {
    Files.writeString(
        dir.resolve("objects.yaml"),
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: app}
        data: {app.conf: "port=80"}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: creds, namespace: shop}
        data: {password: czNjcjN0}
        stringData: {user: admin}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ignored}
        """);
    StaticObjects objects = new StaticObjects(dir);

    assertThat(objects.configMap("default", "app")).contains(Map.of("app.conf", "port=80"));
    assertThat(objects.secret("shop", "creds"))
        .contains(Map.of("password", "s3cr3t", "user", "admin"));
    assertThat(objects.secret("default", "creds")).isEmpty();

    Path f = dir.resolve("objects.yaml");
    Files.writeString(f, "{kind: ConfigMap, metadata: {name: app}, data: {app.conf: port=81}}");
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(5)));
    assertThat(objects.configMap("default", "app")).contains(Map.of("app.conf", "port=81"));
  }

  @Test
  void aBrokenFileIsSkippedOthersStillCount() throws Exception {
    Files.writeString(
        dir.resolve("a.yaml"), "kind: ConfigMap\nmetadata: {name: ok}\ndata: {k: v}\n");
    Files.writeString(
        dir.resolve("b.yaml"), "kind: Secret\nmetadata: {name: s}\ndata: {k: '!!!notbase64'}\n");
    Files.writeString(dir.resolve("c.json"), "{\"kind\": \"ConfigMap\", ");

    StaticObjects objects = new StaticObjects(dir);

    assertThat(objects.configMap("default", "ok")).contains(Map.of("k", "v"));
    assertThat(objects.secret("default", "s")).isEmpty();
  }
}
