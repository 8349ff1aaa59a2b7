package io.berth.cri.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class UnixEndpointTest {

  @Test
  void acceptsUnixUrlsAndAbsolutePaths() {
    assertThat(UnixEndpoint.parse("unix:///run/containerd/containerd.sock"))
        .isEqualTo(
            new UnixEndpoint(
                Path.of("/run/containerd/containerd.sock"),
                "unix:///run/containerd/containerd.sock"));
    assertThat(UnixEndpoint.parse("/run/containerd/containerd.sock").display())
        .isEqualTo("unix:///run/containerd/containerd.sock");
    assertThat(UnixEndpoint.parse("unix:/run/crio/crio.sock").socket())
        .isEqualTo(Path.of("/run/crio/crio.sock"));
    assertThat(UnixEndpoint.parse("unix:///run//x/../containerd.sock").socket())
        .isEqualTo(Path.of("/run/containerd.sock"));
  }
}
