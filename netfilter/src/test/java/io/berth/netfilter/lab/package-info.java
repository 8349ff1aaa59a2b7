/**
 * Test fixtures that build real topologies in network namespaces the tests create ({@code
 * berth-nf-*}) and run commands; everything they create they remove again.
 */
package io.berth.netfilter.lab;
