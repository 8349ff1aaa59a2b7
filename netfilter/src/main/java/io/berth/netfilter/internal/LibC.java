package io.berth.netfilter.internal;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;

/** The few libc calls berth's netfilter code needs (namespaces, netlink, getsockopt). */
public interface LibC {
  int O_RDONLY = 0;
  int O_CLOEXEC = 0x80000;
  int CLONE_NEWNET = 0x40000000;

  @SaveError
  int open(String path, int flags);

  @SaveError
  int close(int fd);

  @SaveError
  int setns(int fd, int nstype);

  @SaveError
  int socket(int domain, int type, int protocol);

  @SaveError
  long send(int fd, @In byte[] buf, long len, int flags);

  @SaveError
  long recv(int fd, @Out byte[] buf, long len, int flags);

  @SaveError
  int getsockopt(int fd, int level, int optname, Pointer optval, IntByReference optlen);

  @SaveError
  int setsockopt(int fd, int level, int optname, @In byte[] optval, int optlen);
}
