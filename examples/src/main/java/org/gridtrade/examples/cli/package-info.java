/**
 * The {@code gridtrade} command line: one thin picocli command per program, which checks its
 * options, calls a demo, study or library, and prints text or JSON. Bad input exits with status 2
 * and one line naming the option, the value and the rule.
 */
package org.gridtrade.examples.cli;
