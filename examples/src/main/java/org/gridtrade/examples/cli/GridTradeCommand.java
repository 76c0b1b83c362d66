package org.gridtrade.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The {@code gridtrade} command: the entry point of the examples, with one subcommand per demo.
 *
 * <p>Conventions every subcommand follows: {@code --help}; {@code --scenario FILE} for JSON input
 * where a command takes one; {@code --json} prints exactly one JSON object on stdout (text
 * otherwise); {@code --seed} for anything random; {@code --out DIR} for files written; decimals in
 * {@link java.util.Locale#ROOT}. Bad input exits with status 2 and one line on stderr naming the
 * option and the rule (an {@link IllegalArgumentException} from a library while running is bad
 * input too: the libraries validate at their API boundary); a command whose iterative solver ran
 * out of rounds or time prints its result, says so, and exits with {@link #EXIT_NOT_CONVERGED}; a
 * failure while running exits with status 1 and one line (set the environment variable {@code
 * GRIDTRADE_STACKTRACE} to also get the stack trace).
 *
 * <p>Build a configured command line with {@link #commandLine()} or {@link
 * #configure(CommandLine)}: the one-line error handling lives there, not in the annotations.
 */
@Command(
    name = "gridtrade",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    description = "GridTrade: peer-to-peer energy trading on a signed, verifiable ledger.",
    subcommands = {
      DemoCommand.class,
      LedgerDemoCommand.class,
      LedgerCommand.class,
      NodeCommand.class,
      TestnetCommand.class,
      LoadCommand.class,
      LoadChartsCommand.class,
      AuctionCommand.class,
      MarketSimCommand.class,
      DrAuctionCommand.class,
      DrStudyCommand.class,
      CoalitionCommand.class,
      ShapleyCommand.class,
      ExampleCommand.class,
      StackelbergCommand.class,
      BestResponseCommand.class,
      TrustSimCommand.class,
      V2vCommand.class,
      CommandLine.HelpCommand.class
    })
public final class GridTradeCommand implements Callable<Integer> {
  /** Exit status for bad input: an unknown option, a value out of range. */
  static final int EXIT_BAD_INPUT = 2;

  /** Exit status for a failure while running. */
  static final int EXIT_FAILURE = 1;

  /** Exit status of a complete run whose iterative solver did not converge in its limits. */
  static final int EXIT_NOT_CONVERGED = 3;

  @Spec CommandSpec spec;

  /** Creates the command; picocli fills in the options. */
  public GridTradeCommand() {}

  /**
   * Runs {@code gridtrade} and exits with its status.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * A configured command line for {@code gridtrade}.
   *
   * @return the command line, writing to {@code System.out} and {@code System.err}
   */
  public static CommandLine commandLine() {
    return configure(new CommandLine(new GridTradeCommand()));
  }

  /**
   * Installs the one-line error handling on a command line built from a {@link GridTradeCommand}.
   * Call it before {@link CommandLine#setOut}/{@link CommandLine#setErr} or after: the handlers
   * write to whatever writers the command line has when an error happens.
   *
   * @param commandLine {@code new CommandLine(new GridTradeCommand())}
   * @return {@code commandLine}
   */
  public static CommandLine configure(CommandLine commandLine) {
    return commandLine
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setParameterExceptionHandler(GridTradeCommand::badInput)
        .setExecutionExceptionHandler(GridTradeCommand::failure);
  }

  /**
   * The error of a command group called without one of its subcommands.
   *
   * @param spec the group's spec
   * @return the exception to throw (exit 2, one line naming the subcommands)
   */
  static ParameterException subcommandRequired(CommandSpec spec) {
    return new ParameterException(
        spec.commandLine(),
        "a subcommand is required, one of: " + String.join(", ", spec.subcommands().keySet()));
  }

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(),
        "a command is required, one of: " + String.join(", ", spec.subcommands().keySet()));
  }

  // One line, no usage dump and no stack trace: "gridtrade ledger-demo: --traders 1 is outside
  // 2..1000 (see 'gridtrade ledger-demo --help')".
  private static int badInput(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    String name = cl.getCommandSpec().qualifiedName();
    PrintWriter err = cl.getErr();
    err.println("%s: %s (see '%s --help')".formatted(name, oneLine(e.getMessage()), name));
    err.flush();
    return EXIT_BAD_INPUT;
  }

  private static int failure(Exception e, CommandLine cl, ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (e instanceof IllegalArgumentException) {
      String name = cl.getCommandSpec().qualifiedName();
      err.println("%s: %s (see '%s --help')".formatted(name, oneLine(e.getMessage()), name));
      err.flush();
      return EXIT_BAD_INPUT;
    }
    err.println("%s: failed: %s".formatted(cl.getCommandSpec().qualifiedName(), oneLine(e)));
    if (System.getenv("GRIDTRADE_STACKTRACE") != null) {
      e.printStackTrace(err);
    }
    err.flush();
    return EXIT_FAILURE;
  }

  private static String oneLine(Throwable e) {
    StringBuilder s = new StringBuilder(String.valueOf(e));
    int depth = 0;
    for (Throwable c = e.getCause(); c != null && depth++ < 5; c = c.getCause()) {
      if (c.getMessage() != null && !s.toString().contains(c.getMessage())) {
        s.append("; caused by ").append(c);
      }
    }
    return oneLine(s.toString());
  }

  private static String oneLine(String message) {
    if (message == null || message.isBlank()) {
      return "invalid input";
    }
    return message.strip().replaceAll("\\s*\\R\\s*", "; ");
  }

  /** Reads the version Maven wrote into {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = GridTradeCommand.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "gridtrade " + p.getProperty("version", "(unknown version)"),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
      };
    }
  }
}
