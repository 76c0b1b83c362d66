package org.gridtrade.consensus;

/**
 * How an engine node talks to its peers. {@link InMemoryNetwork} connects nodes in one process with
 * configurable delay and loss; a real network transport implements the same interface.
 *
 * <p>A broadcast is expected to reach every node (a full mesh, or a transport that relays): the
 * engine does not re-gossip what it receives. Implementations are thread-safe; sending never blocks
 * on the receiver and may drop messages (the engine recovers lost blocks by {@link
 * ConsensusMessage.Status} and {@link ConsensusMessage.BlockRequest}).
 */
public interface Transport {

  /**
   * This node's id on the network.
   *
   * @return the id
   */
  String localId();

  /**
   * Sends a message to every other node.
   *
   * @param message the message
   */
  void broadcast(ConsensusMessage message);

  /**
   * Sends a message to one node.
   *
   * @param peer the receiver's id
   * @param message the message
   */
  void send(String peer, ConsensusMessage message);

  /**
   * Sets who receives this node's incoming messages (the engine registers itself once).
   *
   * @param receiver called with the sender's id and the message, from the transport's thread
   */
  void listen(Receiver receiver);

  /** Receives messages. */
  @FunctionalInterface
  interface Receiver {
    /**
     * Called for each incoming message.
     *
     * @param from the sender's id
     * @param message the message
     */
    void onMessage(String from, ConsensusMessage message);
  }
}
