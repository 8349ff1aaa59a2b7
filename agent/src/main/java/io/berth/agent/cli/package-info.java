/**
 * The operator's commands beside {@code berth pods}: {@code berth describe pod}, {@code berth
 * logs}, and what they share: reading berth's local API ({@link LocalApi}), colour only on a
 * terminal ({@link Palette}), and the CRI container log format ({@link CriLogParser}).
 *
 * <p>Every expected failure is a {@link CliException} whose message is the one line berth prints.
 */
package io.berth.agent.cli;
