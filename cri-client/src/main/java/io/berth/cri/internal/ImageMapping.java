package io.berth.cri.internal;

import static io.berth.cri.internal.CommonMapping.value;

import io.berth.cri.AuthConfig;
import io.berth.cri.Image;
import io.berth.cri.ImageFsInfo;
import io.berth.cri.RuntimeCondition;
import io.berth.cri.RuntimeStatus;
import io.berth.cri.VersionInfo;
import io.berth.cri.v1.ImageFsInfoResponse;
import io.berth.cri.v1.StatusResponse;
import io.berth.cri.v1.VersionResponse;

/** Proto ⇄ record mapping for images, image filesystems, and runtime version and status. */
final class ImageMapping {
  private ImageMapping() {}

  static Image image(io.berth.cri.v1.Image i) {
    return new Image(
        i.getId(),
        i.getRepoTagsList(),
        i.getRepoDigestsList(),
        i.getSize(),
        value(i.hasUid(), i.getUid()),
        i.getUsername(),
        i.hasSpec() ? CommonMapping.fromProto(i.getSpec()) : null,
        i.getPinned());
  }

  static io.berth.cri.v1.AuthConfig toProto(AuthConfig a) {
    return io.berth.cri.v1.AuthConfig.newBuilder()
        .setUsername(a.username())
        .setPassword(a.password())
        .setAuth(a.auth())
        .setServerAddress(a.serverAddress())
        .setIdentityToken(a.identityToken())
        .setRegistryToken(a.registryToken())
        .build();
  }

  static ImageFsInfo imageFsInfo(ImageFsInfoResponse r) {
    return new ImageFsInfo(
        r.getImageFilesystemsList().stream().map(StatsMapping::filesystem).toList(),
        r.getContainerFilesystemsList().stream().map(StatsMapping::filesystem).toList());
  }

  static VersionInfo version(VersionResponse v) {
    return new VersionInfo(
        v.getVersion(), v.getRuntimeName(), v.getRuntimeVersion(), v.getRuntimeApiVersion());
  }

  static RuntimeStatus runtimeStatus(StatusResponse r) {
    return new RuntimeStatus(
        r.getStatus().getConditionsList().stream()
            .map(
                c ->
                    new RuntimeCondition(c.getType(), c.getStatus(), c.getReason(), c.getMessage()))
            .toList(),
        r.getInfoMap());
  }
}
