package io.berth.netfilter.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.netfilter.internal.LibC;
import io.berth.netfilter.internal.Native;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * berth's {@code CTRL_CMD_GETFAMILY} request against this kernel's generic netlink controller (no
 * root needed): a family that exists resolves, so the kernel accepted the encoding; IPVS does not
 * here (no ip_vs), and the IPVS channel then refuses to open with ENOENT.
 */
class GenlSocketTest {
  private final LibC libc = Native.loadLibC();

  @Test
  void theControllerResolvesItselfByName() throws Exception {
    try (GenlSocket s = GenlSocket.open(libc)) {
      assertThat(s.resolveFamily("nlctrl")).hasValue(IpvsAbi.GENL_ID_CTRL);
      // a second request on the same socket: answers are matched by sequence number
      assertThat(s.resolveFamily("nlctrl")).hasValue(IpvsAbi.GENL_ID_CTRL);
    }
  }

  @Test
  void aFamilyWithADynamicIdResolvesToIt() throws Exception {
    // tcp_metrics is registered by every kernel with IPv4 (net/ipv4/tcp_metrics.c); its id is
    // allocated at boot from GENL_START_ALLOC (NLMSG_MIN_TYPE + 3), so the id berth reads is the
    // one the controller put in CTRL_ATTR_FAMILY_ID, not a constant
    try (GenlSocket s = GenlSocket.open(libc)) {
      OptionalInt id = s.resolveFamily("tcp_metrics");
      assertThat(id).isPresent();
      assertThat(id.getAsInt()).isGreaterThanOrEqualTo(IpvsAbi.GENL_ID_CTRL + 3);
      assertThat(s.resolveFamily("tcp_metrics")).isEqualTo(id);
    }
  }

  @Test
  void anUnknownFamilyIsEnoentNotAnError() throws Exception {
    try (GenlSocket s = GenlSocket.open(libc)) {
      assertThat(s.resolveFamily("berth-nofam")).isEmpty();
    }
  }

  @Test
  void aNameLongerThanTheKernelsGenlNamsizIsRefusedWithEinval() throws Exception {
    // CTRL_ATTR_FAMILY_NAME is NLA_NUL_STRING of at most GENL_NAMSIZ - 1 = 15 characters: the
    // kernel validated the attribute berth encoded and said so
    try (GenlSocket s = GenlSocket.open(libc)) {
      assertThatThrownBy(() -> s.resolveFamily("berth-no-such-family"))
          .isInstanceOf(GenlException.class)
          .hasMessageContaining("errno 22 (EINVAL)");
    }
  }

  @Test
  void ipvsIsAbsentOnThisKernelAndTheChannelSaysSo() throws Exception {
    boolean ipvsHere = Files.exists(Path.of("/proc/net/ip_vs"));
    try (GenlSocket s = GenlSocket.open(libc)) {
      assertThat(s.resolveFamily("IPVS").isPresent()).isEqualTo(ipvsHere);
    }
    if (!ipvsHere) {
      assertThatThrownBy(() -> GenlIpvsChannel.open(libc))
          .isInstanceOf(GenlException.class)
          .hasMessageContaining("generic netlink family IPVS not found (kernel has no ip_vs)")
          .hasMessageContaining("ENOENT");
    }
  }
}
