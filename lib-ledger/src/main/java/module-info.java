/**
 * GridTrade ledger: SHA-256 and RFC 6962 Merkle trees, Ed25519 keys and an encrypted keystore,
 * signed transactions in one canonical binary encoding, Merkle-committed blocks, account state, a
 * bounded mempool, chain verification, and block stores (in memory, or durable on H2 MVStore).
 *
 * <p>API: {@link org.gridtrade.ledger}; service-provider interfaces for integrators (block stores,
 * on-chain modules): {@link org.gridtrade.ledger.spi}.
 */
// The node module is built after this one, so the qualified export below names a module javac
// cannot see yet.
@SuppressWarnings("module")
module org.gridtrade.ledger {
  requires org.bouncycastle.provider;
  requires com.h2database.mvstore;
  requires org.slf4j;

  exports org.gridtrade.ledger;
  exports org.gridtrade.ledger.spi;
  // For the node module alone: it installs a faster signature verifier (libsodium) that only
  // confirms.
  exports org.gridtrade.ledger.internal to
      org.gridtrade.node;
}
