package io.berth.agent.logging;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** One named logger; formats the message and hands it to {@link LogSettings}. */
final class BerthLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;

  BerthLogger(String name) {
    this.name = name;
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
    var formatted = MessageFormatter.basicArrayFormat(pattern, arguments);
    LogSettings.write(level, name, formatted, throwable);
  }

  @Override
  public boolean isTraceEnabled() {
    return LogSettings.enabled(name, Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return LogSettings.enabled(name, Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return LogSettings.enabled(name, Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return LogSettings.enabled(name, Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return LogSettings.enabled(name, Level.ERROR);
  }
}
