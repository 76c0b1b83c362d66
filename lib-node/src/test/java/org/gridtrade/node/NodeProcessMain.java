package org.gridtrade.node;

import java.nio.file.Path;

/**
 * A node as its own process, for the multi-process tests: {@code NodeProcessMain CONFIG}. Prints
 * {@code started at height H} once it runs (H is the height it reopened its store at, before it
 * heard from any peer), and stops cleanly when its standard input closes, or dies when killed.
 */
public final class NodeProcessMain {
  private NodeProcessMain() {}

  /**
   * Runs the node.
   *
   * @param args the node's configuration file
   * @throws Exception if it cannot start
   */
  public static void main(String[] args) throws Exception {
    serve(GridTradeNode.start(NodeConfig.read(Path.of(args[0]))));
  }

  /**
   * Announces a started node on standard output, runs it until standard input closes, then closes
   * it.
   *
   * @param node the node
   * @throws java.io.IOException if standard input fails
   */
  static void serve(GridTradeNode node) throws java.io.IOException {
    System.out.println("started at height " + node.engine().ledger().height());
    System.out.flush();
    try {
      while (System.in.read() >= 0) {
        // wait until the parent closes our input
      }
    } finally {
      node.close();
    }
  }
}
