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
    GridTradeNode node = GridTradeNode.start(NodeConfig.read(Path.of(args[0])));
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
