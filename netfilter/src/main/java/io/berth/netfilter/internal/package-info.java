/**
 * Not API. jnr-ffi bindings to libnftables and libc, library loading, and per-thread network
 * namespace entry ({@code setns(2)}).
 */
package io.berth.netfilter.internal;
