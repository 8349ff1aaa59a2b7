/**
 * The berth daemon: command line, and (as the issues land) pod sources, the sync loop, pod workers,
 * the proxier and the node API.
 *
 * <p>{@link io.berth.agent.BerthMain} is the process entry point; it parses the command line and
 * turns every expected failure into one clear line on standard error and a non-zero exit code.
 */
package io.berth.agent;
