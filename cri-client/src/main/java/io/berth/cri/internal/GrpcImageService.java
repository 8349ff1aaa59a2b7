package io.berth.cri.internal;

import io.berth.cri.AuthConfig;
import io.berth.cri.Image;
import io.berth.cri.ImageFsInfo;
import io.berth.cri.ImageService;
import io.berth.cri.ImageSpec;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.internal.CallPolicy.Retry;
import io.berth.cri.v1.ImageFilter;
import io.berth.cri.v1.ImageFsInfoRequest;
import io.berth.cri.v1.ImageServiceGrpc;
import io.berth.cri.v1.ImageServiceGrpc.ImageServiceBlockingStub;
import io.berth.cri.v1.ImageStatusRequest;
import io.berth.cri.v1.ListImagesRequest;
import io.berth.cri.v1.PullImageRequest;
import io.berth.cri.v1.RemoveImageRequest;
import io.grpc.Channel;
import java.util.List;
import java.util.Optional;

/**
 * {@link ImageService} over gRPC. PullImage uses the pull deadline; reads use the status deadline.
 *
 * <p>Thread safety: thread-safe (stateless over a thread-safe channel).
 */
public final class GrpcImageService implements ImageService {
  private final ImageServiceBlockingStub stub;
  private final CallPolicy calls;

  GrpcImageService(Channel channel, CallPolicy calls) {
    this.stub = ImageServiceGrpc.newBlockingStub(channel);
    this.calls = calls;
  }

  @Override
  public List<Image> listImages(ImageSpec filter) {
    var req = ListImagesRequest.newBuilder();
    String subject = "";
    if (filter != null) {
      req.setFilter(ImageFilter.newBuilder().setImage(CommonMapping.toProto(filter)));
      subject = filter.image();
    }
    return calls
        .call(
            stub,
            "ListImages",
            subject,
            calls.options().statusTimeout(),
            Retry.IDEMPOTENT,
            s -> s.listImages(req.build()))
        .getImagesList()
        .stream()
        .map(ImageMapping::image)
        .toList();
  }

  @Override
  public Optional<Image> imageStatus(ImageSpec image) {
    var req = ImageStatusRequest.newBuilder().setImage(CommonMapping.toProto(image)).build();
    var resp =
        calls.call(
            stub,
            "ImageStatus",
            image.image(),
            calls.options().statusTimeout(),
            Retry.IDEMPOTENT,
            s -> s.imageStatus(req));
    return resp.hasImage() ? Optional.of(ImageMapping.image(resp.getImage())) : Optional.empty();
  }

  @Override
  public String pullImage(ImageSpec image, AuthConfig auth, PodSandboxConfig sandbox) {
    var req = PullImageRequest.newBuilder().setImage(CommonMapping.toProto(image));
    if (auth != null) {
      req.setAuth(ImageMapping.toProto(auth));
    }
    if (sandbox != null) {
      req.setSandboxConfig(SandboxMapping.toProto(sandbox));
    }
    return calls
        .call(
            stub,
            "PullImage",
            image.image(),
            calls.options().pullTimeout(),
            Retry.ONCE,
            s -> s.pullImage(req.build()))
        .getImageRef();
  }

  @Override
  public void removeImage(ImageSpec image) {
    var req = RemoveImageRequest.newBuilder().setImage(CommonMapping.toProto(image)).build();
    calls.call(
        stub,
        "RemoveImage",
        image.image(),
        calls.options().requestTimeout(),
        Retry.ONCE,
        s -> s.removeImage(req));
  }

  @Override
  public ImageFsInfo imageFsInfo() {
    return ImageMapping.imageFsInfo(
        calls.call(
            stub,
            "ImageFsInfo",
            "",
            calls.options().statusTimeout(),
            Retry.IDEMPOTENT,
            s -> s.imageFsInfo(ImageFsInfoRequest.getDefaultInstance())));
  }
}
