package io.berth.cri.fake;

import io.berth.cri.v1.FilesystemIdentifier;
import io.berth.cri.v1.FilesystemUsage;
import io.berth.cri.v1.Image;
import io.berth.cri.v1.ImageFsInfoRequest;
import io.berth.cri.v1.ImageFsInfoResponse;
import io.berth.cri.v1.ImageServiceGrpc;
import io.berth.cri.v1.ImageStatusRequest;
import io.berth.cri.v1.ImageStatusResponse;
import io.berth.cri.v1.Int64Value;
import io.berth.cri.v1.ListImagesRequest;
import io.berth.cri.v1.ListImagesResponse;
import io.berth.cri.v1.PullImageRequest;
import io.berth.cri.v1.PullImageResponse;
import io.berth.cri.v1.RemoveImageRequest;
import io.berth.cri.v1.RemoveImageResponse;
import io.berth.cri.v1.UInt64Value;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory CRI {@code runtime.v1.ImageService}: pulled images are kept by reference; the image
 * id is {@code sha256:} plus a hash of the reference. Images whose reference contains {@code
 * "private/"} need an auth config, like a private registry would.
 *
 * <p>Thread safety: thread-safe.
 */
public final class FakeImageService extends ImageServiceGrpc.ImageServiceImplBase {
  private final Map<String, Image> images = new ConcurrentHashMap<>();
  private final CallRecorder calls = new CallRecorder();

  /** Requests received, deadlines seen, failures to inject. */
  public CallRecorder calls() {
    return calls;
  }

  /** Pre-loads an image, as {@code ctr images import} would. */
  public void preload(String ref) {
    images.put(ref, imageFor(ref));
  }

  static String idOf(String ref) {
    return "sha256:" + String.format("%064x", Math.abs((long) ref.hashCode()));
  }

  private static Image imageFor(String ref) {
    return Image.newBuilder()
        .setId(idOf(ref))
        .addRepoTags(ref)
        .addRepoDigests(ref.replaceAll(":[^:/]+$", "") + "@" + idOf(ref))
        .setSize(1_234_567)
        .setUid(Int64Value.newBuilder().setValue(0))
        .build();
  }

  private Image find(String ref) {
    Image byRef = images.get(ref);
    if (byRef != null) {
      return byRef;
    }
    return images.values().stream().filter(i -> i.getId().equals(ref)).findFirst().orElse(null);
  }

  @Override
  public void listImages(ListImagesRequest r, StreamObserver<ListImagesResponse> out) {
    calls.handle(
        "ListImages",
        r,
        out,
        () -> {
          String want = r.getFilter().getImage().getImage();
          var resp = ListImagesResponse.newBuilder();
          images.entrySet().stream()
              .filter(
                  e ->
                      want.isEmpty()
                          || e.getKey().equals(want)
                          || e.getValue().getId().equals(want))
              .sorted(Map.Entry.comparingByKey())
              .forEach(e -> resp.addImages(e.getValue()));
          return resp.build();
        });
  }

  @Override
  public void imageStatus(ImageStatusRequest r, StreamObserver<ImageStatusResponse> out) {
    calls.handle(
        "ImageStatus",
        r,
        out,
        () -> {
          Image image = find(r.getImage().getImage());
          var resp = ImageStatusResponse.newBuilder();
          if (image != null) {
            resp.setImage(image);
          }
          return resp.build();
        });
  }

  @Override
  public void pullImage(PullImageRequest r, StreamObserver<PullImageResponse> out) {
    calls.handle(
        "PullImage",
        r,
        out,
        () -> {
          String ref = r.getImage().getImage();
          if (ref.contains("private/") && r.getAuth().getUsername().isEmpty()) {
            throw Status.UNKNOWN
                .withDescription(
                    "failed to pull and unpack image \"" + ref + "\": 401 Unauthorized")
                .asRuntimeException();
          }
          images.put(ref, imageFor(ref));
          return PullImageResponse.newBuilder().setImageRef(idOf(ref)).build();
        });
  }

  @Override
  public void removeImage(RemoveImageRequest r, StreamObserver<RemoveImageResponse> out) {
    calls.handle(
        "RemoveImage",
        r,
        out,
        () -> {
          Image image = find(r.getImage().getImage());
          if (image != null) {
            images.values().removeIf(i -> i.getId().equals(image.getId()));
          }
          return RemoveImageResponse.getDefaultInstance();
        });
  }

  @Override
  public void imageFsInfo(ImageFsInfoRequest r, StreamObserver<ImageFsInfoResponse> out) {
    calls.handle(
        "ImageFsInfo",
        r,
        out,
        () ->
            ImageFsInfoResponse.newBuilder()
                .addImageFilesystems(
                    FilesystemUsage.newBuilder()
                        .setTimestamp(1_700_000_000_000_000_001L)
                        .setFsId(
                            FilesystemIdentifier.newBuilder()
                                .setMountpoint(
                                    "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs"))
                        .setUsedBytes(UInt64Value.newBuilder().setValue(images.size() * 1_234_567L))
                        .setInodesUsed(UInt64Value.newBuilder().setValue(images.size() * 10L)))
                .build());
  }
}
