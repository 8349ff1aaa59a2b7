package io.berth.netfilter.ipvs;

import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.internal.LibC;
import io.berth.netfilter.model.IpFamily;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@link IpvsChannel} over generic netlink in the calling thread's namespace. Never run against a
 * kernel with ip_vs (this machine's has none): on this kernel {@link #open} fails with the
 * controller's ENOENT.
 */
public final class GenlIpvsChannel implements IpvsChannel {
  private final GenlSocket socket;
  private final int familyId;

  private GenlIpvsChannel(GenlSocket socket, int familyId) {
    this.socket = socket;
    this.familyId = familyId;
  }

  /**
   * Resolves the {@code IPVS} family and keeps the socket.
   *
   * @throws GenlException ENOENT when the kernel has no ip_vs
   */
  public static GenlIpvsChannel open(LibC libc) throws GenlException {
    GenlSocket s = GenlSocket.open(libc);
    try {
      OptionalInt id = s.resolveFamily(IpvsAbi.IPVS_GENL_NAME);
      if (id.isEmpty()) {
        throw new GenlException("generic netlink family IPVS not found (kernel has no ip_vs)", 2);
      }
      return new GenlIpvsChannel(s, id.getAsInt());
    } catch (GenlException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  @Override
  public List<VirtualServer> services() throws NetfilterException {
    List<VirtualServer> out = new ArrayList<>();
    for (ByteBuffer m :
        socket.request(IpvsMessages.dumpServices(familyId, socket.nextSeq()), true, false)) {
      Optional<VirtualServer> s = IpvsMessages.decodeService(m);
      s.ifPresent(out::add);
    }
    return out;
  }

  @Override
  public List<RealServer> destinations(VirtualServer.Key service) throws NetfilterException {
    List<RealServer> out = new ArrayList<>();
    IpFamily family = IpFamily.of(service.address());
    for (ByteBuffer m :
        socket.request(IpvsMessages.dumpDests(familyId, socket.nextSeq(), service), true, false)) {
      out.add(IpvsMessages.decodeDest(m, family));
    }
    return out;
  }

  @Override
  public void apply(IpvsCommand command) throws NetfilterException {
    try {
      socket.request(IpvsMessages.encode(command, familyId, socket.nextSeq()), false, true);
    } catch (GenlException e) {
      throw new IpvsCommandFailedException(command, e.errno(), "");
    }
  }

  @Override
  public String describe() {
    return "IPVS over generic netlink (family id " + familyId + ")";
  }

  @Override
  public void close() {
    socket.close();
  }
}
