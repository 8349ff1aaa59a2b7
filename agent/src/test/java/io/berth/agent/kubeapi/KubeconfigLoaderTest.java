package io.berth.agent.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigLoaderTest {
  @TempDir Path dir;
  private final KubeconfigLoader loader = new KubeconfigLoader();

  private static final String CONFIG =
      """
      apiVersion: v1
      kind: Config
      current-context: main
      clusters:
      - name: c1
        cluster:
          server: https://10.0.0.1:6443
          certificate-authority-data: %s
      - name: c2
        cluster:
          server: http://127.0.0.1:8080
          insecure-skip-tls-verify: true
      contexts:
      - name: main
        context: {cluster: c1, user: u1, namespace: kube-system}
      - name: other
        context: {cluster: c2, user: u2}
      users:
      - name: u1
        user:
          client-certificate: certs/client.crt
          client-key: certs/client.key
      - name: u2
        user:
          tokenFile: token
      """;

  @Test
  void readsTheCurrentContextWithFilesRelativeToTheKubeconfig() throws Exception {
    Files.createDirectories(dir.resolve("certs"));
    Files.writeString(dir.resolve("certs/client.crt"), "CERT");
    Files.writeString(dir.resolve("certs/client.key"), "KEY");
    Path file =
        Files.writeString(
            dir.resolve("config"),
            CONFIG.formatted(Base64.getEncoder().encodeToString("CA".getBytes())));

    Kubeconfig main = loader.load(file, Optional.empty());
    assertThat(main.server().toString()).isEqualTo("https://10.0.0.1:6443");
    assertThat(main.certificateAuthorityPem()).contains("CA");
    assertThat(main.clientCertificatePem()).contains("CERT");
    assertThat(main.clientKeyPem()).contains("KEY");
    assertThat(main.namespace()).isEqualTo("kube-system");

    Kubeconfig other = loader.load(file, Optional.of("other"));
    assertThat(other.insecureSkipTlsVerify()).isTrue();
    assertThat(other.tokenFile()).contains(dir.resolve("token"));
    assertThat(other.namespace()).isEqualTo("default");
  }

  @Test
  void aMissingContextOrFileSaysWhich() throws Exception {
    Path file = Files.writeString(dir.resolve("config"), CONFIG.formatted("Q0E="));
    assertThatThrownBy(() -> loader.load(file, Optional.of("nope")))
        .isInstanceOf(KubeconfigException.class)
        .hasMessageContaining("contexts has no entry named \"nope\"");
    assertThatThrownBy(() -> loader.load(file, Optional.empty()))
        .isInstanceOf(KubeconfigException.class)
        .hasMessageContaining("cannot read client-certificate");
  }

  @Test
  void readsTheKeyFormatsKubeconfigsCarry() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl makes the keys");
    for (String[] gen :
        new String[][] {
          {"openssl", "genrsa", "-traditional", "-out", "rsa1.pem", "2048"},
          {"openssl", "genpkey", "-algorithm", "RSA", "-out", "rsa8.pem"},
          {"openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec1.pem"}
        }) {
      Process p = new ProcessBuilder(gen).directory(dir.toFile()).redirectErrorStream(true).start();
      assertThat(p.waitFor()).as(String.join(" ", gen)).isZero();
    }
    assertThat(Files.readString(dir.resolve("rsa1.pem"))).contains("RSA PRIVATE KEY");
    assertThat(PemKeys.privateKey(Files.readString(dir.resolve("rsa1.pem"))).getAlgorithm())
        .isEqualTo("RSA");
    assertThat(PemKeys.privateKey(Files.readString(dir.resolve("rsa8.pem"))).getAlgorithm())
        .isEqualTo("RSA");
    assertThat(Files.readString(dir.resolve("ec1.pem"))).contains("EC PRIVATE KEY");
    assertThat(PemKeys.privateKey(Files.readString(dir.resolve("ec1.pem"))).getAlgorithm())
        .isEqualTo("EC");
  }
}
