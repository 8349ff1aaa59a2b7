/**
 * A hand-run benchmark of the network probers against loopback servers, beside a minimal blocking
 * client (see the module README for the command and the numbers).
 */
package io.berth.probes.bench;
