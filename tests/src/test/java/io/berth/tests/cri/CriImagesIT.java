package io.berth.tests.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.cri.CriException;
import io.berth.cri.CriRuntime;
import io.berth.cri.FilesystemUsage;
import io.berth.cri.Image;
import io.berth.cri.ImageFsInfo;
import io.berth.cri.ImageService;
import io.berth.cri.ImageSpec;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.OciImageBuilder;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** berth's ImageService client against a real, private containerd (no registry reachable). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CriImagesIT {
  private ContainerdLauncher containerd;
  private CriRuntime cri;
  private ImageService images;

  @BeforeAll
  void startRuntime() {
    containerd = ContainerdLauncher.launch();
    cri = CriRuntime.connect(containerd.endpoint());
    images = cri.images();
  }

  @AfterAll
  void stopRuntime() {
    if (cri != null) {
      cri.close();
    }
    if (containerd != null) {
      containerd.close();
    }
  }

  @Test
  void listsAndInspectsTheImportedImages() {
    assertThat(images.listImages())
        .flatExtracting(Image::repoTags)
        .contains(containerd.busyboxImage(), containerd.pauseImage());

    Image busybox = images.imageStatus(containerd.busyboxImage()).orElseThrow();
    assertThat(busybox.id()).startsWith("sha256:");
    assertThat(busybox.size()).isGreaterThan(500_000L); // busybox-static is about 1-2 MB
    // containerd 1.6's CRI ignores the ListImages filter (the kubelet never sends one): the
    // request must still go through and include the image.
    assertThat(images.listImages(ImageSpec.of(containerd.busyboxImage())))
        .extracting(Image::id)
        .contains(busybox.id());

    assertThat(images.imageStatus("registry.berth.test/never-imported:1")).isEmpty();
  }

  @Test
  void imageFsInfoReportsTheSnapshotterFilesystem() {
    ImageFsInfo info = images.imageFsInfo();
    assertThat(info.imageFilesystems()).isNotEmpty();
    FilesystemUsage fs = info.imageFilesystems().get(0);
    assertThat(fs.mountpoint()).startsWith(containerd.layout().root().toString());
    assertThat(fs.usedBytes()).isNotNull();
    assertThat(fs.inodesUsed()).isNotNull();
  }

  @Test
  void pullFromAnUnreachableRegistryIsATypedErrorNamingTheImage() {
    // 127.0.0.1:1 refuses at once: the pull fails without any traffic leaving the machine.
    String image = "127.0.0.1:1/berth/unreachable:1";
    long start = System.nanoTime();

    assertThatThrownBy(() -> images.pullImage(image))
        .isInstanceOf(CriException.class)
        .hasMessageContaining("PullImage")
        .hasMessageContaining(image);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void removeImageDeletesItAndIsIdempotent() {
    String ref = "registry.berth.test/removable:1";
    containerd.importImage(
        OciImageBuilder.create(ref).file("/hello.txt", 0644, "remove me\n").build());
    assertThat(images.imageStatus(ref)).isPresent();

    images.removeImage(ImageSpec.of(ref));

    assertThat(images.imageStatus(ref)).isEmpty();
    images.removeImage(ImageSpec.of(ref));
  }
}
