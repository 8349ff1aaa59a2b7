package io.berth.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.cri.v1.ListImagesRequest;
import io.berth.cri.v1.PullImageRequest;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageServiceTest extends FakeCriTestBase {

  @Test
  void pullThenStatusAndList() {
    String ref = images.pullImage("docker.io/library/busybox:1.36");

    assertThat(ref).startsWith("sha256:");
    Image image = images.imageStatus("docker.io/library/busybox:1.36").orElseThrow();
    assertThat(image.id()).isEqualTo(ref);
    assertThat(image.repoTags()).containsExactly("docker.io/library/busybox:1.36");
    assertThat(image.repoDigests()).containsExactly("docker.io/library/busybox@" + ref);
    assertThat(image.size()).isEqualTo(1_234_567);
    assertThat(image.uid()).isEqualTo(0L);
    assertThat(image.pinned()).isFalse();
    assertThat(images.imageStatus(ref)).hasValue(image);
    assertThat(images.listImages()).containsExactly(image);
    assertThat(images.listImages(ImageSpec.of("nope"))).isEmpty();
    assertThat(
            server
                .images()
                .calls()
                .lastRequest(ListImagesRequest.class)
                .getFilter()
                .getImage()
                .getImage())
        .isEqualTo("nope");
  }

  @Test
  void imageStatusOfMissingImageIsEmpty() {
    assertThat(images.imageStatus("docker.io/library/nginx:1.25")).isEmpty();
  }

  @Test
  void pullSendsAuthAnnotationsAndSandboxConfig() {
    var spec = new ImageSpec("registry.local/private/app:1", Map.of("os", "linux"));

    images.pullImage(spec, AuthConfig.basic("registry.local", "bob", "s3cret"), sandboxConfig("p"));

    PullImageRequest req = server.images().calls().lastRequest(PullImageRequest.class);
    assertThat(req.getImage().getImage()).isEqualTo("registry.local/private/app:1");
    assertThat(req.getImage().getAnnotationsMap()).containsEntry("os", "linux");
    assertThat(req.getAuth().getUsername()).isEqualTo("bob");
    assertThat(req.getAuth().getPassword()).isEqualTo("s3cret");
    assertThat(req.getAuth().getServerAddress()).isEqualTo("registry.local");
    assertThat(req.getSandboxConfig().getMetadata().getName()).isEqualTo("p");
    assertThat(AuthConfig.basic("r", "bob", "s3cret").toString()).doesNotContain("s3cret");
  }

  @Test
  void failedPullNamesTheImage() {
    assertThatThrownBy(() -> images.pullImage("registry.local/private/app:1"))
        .isInstanceOf(CriCallException.class)
        .hasMessageStartingWith("PullImage registry.local/private/app:1: unknown: ")
        .hasMessageContaining("401 Unauthorized");
  }

  @Test
  void removeIsIdempotent() {
    server.images().preload("docker.io/library/busybox:1.36");

    images.removeImage(ImageSpec.of("docker.io/library/busybox:1.36"));
    images.removeImage(ImageSpec.of("docker.io/library/busybox:1.36"));

    assertThat(images.listImages()).isEmpty();
  }

  @Test
  void imageFsInfoMapsUsage() {
    server.images().preload("a:1");
    server.images().preload("b:1");

    ImageFsInfo info = images.imageFsInfo();

    assertThat(info.imageFilesystems())
        .containsExactly(
            new FilesystemUsage(
                Instant.parse("2023-11-14T22:13:20.000000001Z"),
                "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs",
                2_469_134L,
                20L));
    assertThat(info.containerFilesystems()).isEmpty();
  }
}
