package org.gridtrade.examples;

/** Placeholder entry point, replaced by the picocli launcher. */
public final class GridTradeCommand {
  private GridTradeCommand() {}

  /**
   * Entry point.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    System.out.println("gridtrade");
  }
}
