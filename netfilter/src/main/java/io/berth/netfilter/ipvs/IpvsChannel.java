package io.berth.netfilter.ipvs;

import io.berth.netfilter.NetfilterException;
import java.util.List;

/**
 * The kernel's IPVS table as {@link IpvsBackend} sees it: dumps of virtual services and of one
 * service's destinations, and one command at a time (IPVS has no transactions). {@link
 * GenlIpvsChannel} talks generic netlink; tests use a fake that records the commands.
 */
public interface IpvsChannel extends AutoCloseable {

  /** Every TCP/UDP/SCTP virtual service (firewall-mark services are left out). */
  List<VirtualServer> services() throws NetfilterException;

  /** The destinations of one virtual service. */
  List<RealServer> destinations(VirtualServer.Key service) throws NetfilterException;

  /**
   * Sends one command and waits for the kernel's ACK.
   *
   * @throws IpvsCommandFailedException when the kernel rejects it
   */
  void apply(IpvsCommand command) throws NetfilterException;

  /** For logs: mechanism and family id. */
  String describe();

  @Override
  void close();
}
