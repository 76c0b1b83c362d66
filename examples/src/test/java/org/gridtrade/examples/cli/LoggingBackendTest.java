package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gridtrade command binds a logging backend (slf4j-simple), so SLF4J never prints its "No SLF4J
 * providers were found" warning, and it stays quiet below WARN by default.
 */
public class LoggingBackendTest {
  @Test
  void commands_logThroughSlf4jSimple_atWarnByDefault() {
    Logger log = LoggerFactory.getLogger(GridTradeCommand.class);
    assertThat(LoggerFactory.getILoggerFactory().getClass().getName())
        .isEqualTo("org.slf4j.simple.SimpleLoggerFactory");
    assertThat(log.isWarnEnabled()).isTrue();
    assertThat(log.isInfoEnabled()).isFalse();
    assertThat(log.isDebugEnabled()).isFalse();
  }
}
