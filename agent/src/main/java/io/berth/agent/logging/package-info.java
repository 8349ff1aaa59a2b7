/**
 * berth's own log output: an SLF4J 2 provider that writes one line per event to standard error in
 * one of three formats ({@link LogFormat}): plain text with a time and level, journald-friendly
 * {@code <N>} sd-daemon priority prefixes when systemd connects the stream to the journal ({@code
 * $JOURNAL_STREAM}), or JSON lines with {@code --log-format json}.
 *
 * <p>The format and level are process-wide ({@link LogSettings}), because SLF4J binds its provider
 * once per process; everything else about a line is rendered by the pure {@link LogLine}.
 */
package io.berth.agent.logging;
