package org.gridtrade.consensus.trust;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.gridtrade.consensus.EngineListener;
import org.gridtrade.consensus.Evidence;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Transaction;

/**
 * Trust stake's evidence desk: evidence this node queues for its next seal (equivocation, invalid
 * headers, badly signed transactions, attestations), the choice of one item per slot, the checks
 * that evidence in a seal holds, and the engine listener that queues what the engine finds.
 * Thread-safe: the queue is guarded by itself.
 */
final class EvidenceQueue {
  /** The most evidence a seal holds: the seal limit less version, key and signature. */
  private static final int MAX_EVIDENCE_BYTES =
      BlockHeader.MAX_SEAL_BYTES - 1 - PublicKey.LENGTH - Signature.LENGTH;

  private final TrustStake protocol;
  private final StakeLedger stake;
  private final Deque<byte[]> pendingEvidence = new ArrayDeque<>();
  private Reserved reserved; // guarded by pendingEvidence

  /** The listener the engine registers (TrustStake's evidence reporter). */
  final EngineListener reporter = newEvidenceReporter();

  EvidenceQueue(TrustStake protocol, StakeLedger stake) {
    this.protocol = protocol;
    this.stake = stake;
  }

  /**
   * Queues equivocation evidence for this node's next seal.
   *
   * @param evidence two headers signed by one validator at one height
   * @throws IllegalArgumentException if the evidence does not hold for this protocol's seals
   */
  void report(Evidence evidence) {
    Optional<String> p = evidence.problem(protocol);
    if (p.isPresent()) {
      throw new IllegalArgumentException("evidence does not hold: " + p.get());
    }
    byte[] e = TrustSeal.encodeEvidence(List.of(evidence.first(), evidence.second()));
    synchronized (pendingEvidence) {
      pendingEvidence.add(e);
    }
  }

  /**
   * Queues a header that breaks the slot rules (an invalid block this node rejected) for this
   * node's next seal.
   *
   * @param header the signed header
   * @throws IllegalArgumentException if its seal does not verify
   */
  void reportInvalid(BlockHeader header) {
    if (protocol.signer(header).isEmpty()) {
      throw new IllegalArgumentException(
          "header %d: seal does not verify".formatted(header.height()));
    }
    byte[] e = TrustSeal.encodeEvidence(List.of(header));
    synchronized (pendingEvidence) {
      pendingEvidence.add(e);
    }
  }

  /**
   * Queues evidence that {@code block}'s proposer signed a block holding a transaction that does
   * not decode or whose signature does not verify, for this node's next seal: the header, that
   * transaction and its inclusion proof. Any node checks it without the block; the proposer's
   * deposit is then confiscated like an equivocator's.
   *
   * @param block a block this node rejected
   * @throws IllegalArgumentException if its seal does not verify, none of its transactions is badly
   *     signed, or the evidence would not fit a seal
   */
  void reportInvalidTransaction(Block block) {
    Objects.requireNonNull(block, "block");
    if (protocol.signer(block.header()).isEmpty()) {
      throw new IllegalArgumentException(
          "block %d: seal does not verify".formatted(block.height()));
    }
    List<Transaction> txs = block.transactions();
    for (int i = 0; i < txs.size(); i++) {
      if (txs.get(i).signatureProblem().isPresent()) {
        byte[] e =
            TrustSeal.encodeInvalidTransaction(
                block.header(), txs.get(i).encode(), block.transactionsTree().inclusionProof(i));
        if (e.length > BlockHeader.MAX_SEAL_BYTES - 200) {
          throw new IllegalArgumentException(
              "evidence of %d bytes does not fit a seal".formatted(e.length));
        }
        synchronized (pendingEvidence) {
          pendingEvidence.add(e);
        }
        return;
      }
    }
    throw new IllegalArgumentException(
        "block %d has no transaction with a bad signature".formatted(block.height()));
  }

  /**
   * Queues this node's attestation that {@code header}'s block is invalid, for its next seal (kind
   * 4 evidence: the block's height, parent hash, hash and proposer). Call it only for a block this
   * node checked against its parent, a block of its canonical chain, and rejected ({@link
   * EngineListener.Rejection.Kind#INVALID}): other nodes cannot check the claim, they count it.
   * When more than 2/3 of the other members of the committee of the block's epoch have attested the
   * proposer's invalid blocks of that epoch in their seals, its deposit is confiscated. The
   * attestation is carried only by a seal of a member of that committee, within {@link
   * TrustStake.Builder#attestationEpochs} epochs, and dropped once it no longer holds (see the
   * class notes).
   *
   * @param header the rejected block's header
   * @throws IllegalArgumentException if its seal does not verify (the proposer did not sign it)
   */
  void attestInvalid(BlockHeader header) {
    if (protocol.signer(header).isEmpty()) {
      throw new IllegalArgumentException(
          "header %d: seal does not verify".formatted(header.height()));
    }
    byte[] e = TrustSeal.encodeAttestation(header);
    synchronized (pendingEvidence) {
      pendingEvidence.add(e);
    }
  }

  /**
   * The evidence this node's seal of the block at {@code height} on {@code parent} carries: the
   * first queued item that still holds, chosen once per slot, so that {@link
   * TrustStake#rewardsAndPenalties} (asked before the seal) and {@link TrustStake#seal} agree even
   * if evidence arrives in between. Items that no longer hold, or would not fit a seal, are
   * dropped.
   */
  byte[] nextEvidence(ChainView chain, BlockHeader parent, long height, Address sealer) {
    synchronized (pendingEvidence) {
      if (reserved != null
          && reserved.parent().equals(parent.hash())
          && reserved.height() == height
          && reserved.sealer().equals(sealer)) {
        return reserved.evidence();
      }
      byte[] evidence = null;
      while (!pendingEvidence.isEmpty()) {
        byte[] e = pendingEvidence.peek();
        if (e.length <= MAX_EVIDENCE_BYTES
            && evidenceProblem(chain, parent, e, TrustSeal.VERSION, height, sealer).isEmpty()) {
          evidence = e;
          break;
        }
        pendingEvidence.poll();
      }
      reserved = new Reserved(parent.hash(), height, sealer, evidence);
      return evidence;
    }
  }

  /** The evidence chosen for one slot and sealer; {@code evidence} null if none. */
  private record Reserved(Hash parent, long height, Address sealer, byte[] evidence) {}

  /**
   * Why the evidence a block at {@code height} on canonical {@code parent}, sealed by {@code
   * sealer}, carries does not hold, if it does not.
   */
  Optional<String> evidenceProblem(
      ChainView chain,
      BlockHeader parent,
      byte[] evidence,
      int version,
      long height,
      Address sealer) {
    TrustSeal.Parsed parsed;
    try {
      parsed = TrustSeal.parseEvidence(ByteBuffer.wrap(evidence), version);
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      return Optional.of("evidence does not parse");
    }
    if (parsed.kind() == 0) {
      return Optional.empty();
    }
    StakeLedger.State s = stake.state(chain, parent);
    if (parsed.kind() == TrustSeal.ATTESTATION) {
      return attestationProblem(chain, s, parsed.attested(), height, sealer);
    }
    List<BlockHeader> hs = parsed.headers();
    Optional<Address> offender = protocol.signer(hs.get(0));
    if (offender.isEmpty()) {
      return Optional.of("evidence header seal does not verify");
    }
    if (s.confiscated.contains(offender.get())) {
      return Optional.of("%s was confiscated already".formatted(offender.get()));
    }
    if (hs.size() == 2) {
      Optional<String> p = new Evidence(hs.get(0), hs.get(1)).problem(protocol);
      return p.map(x -> "equivocation evidence: " + x);
    }
    BlockHeader bad = hs.get(0);
    if (bad.height() > height || bad.height() < chain.activationHeight()) {
      return Optional.of(
          "invalid-header evidence at height %d is outside %d..%d"
              .formatted(bad.height(), chain.activationHeight(), height));
    }
    Optional<BlockHeader> p = chain.header(bad.height() - 1);
    if (p.isEmpty() || !p.get().hash().equals(bad.previousHash())) {
      return Optional.of("invalid-header evidence does not build on the canonical chain");
    }
    if (chain.header(bad.height()).map(c -> c.hash().equals(bad.hash())).orElse(false)) {
      return Optional.of("invalid-header evidence is a canonical block");
    }
    Optional<TrustSeal.InvalidTransaction> itx;
    try {
      itx = TrustSeal.invalidTransaction(evidence, version);
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      return Optional.of("invalid-transaction evidence does not parse");
    }
    if (itx.isPresent()) {
      return invalidTransactionProblem(bad, itx.get());
    }
    return stake.slotProblem(chain, bad, p.get()).isPresent()
        ? Optional.empty()
        : Optional.of("invalid-header evidence: the header keeps the slot rules");
  }

  /**
   * Why an attestation (kind 4) in a block at {@code height} sealed by {@code sealer}, on a parent
   * with state {@code s}, does not count: the attested block must build on the canonical chain and
   * not be canonical itself, its epoch must be within the last {@link
   * TrustStake.Builder#attestationEpochs}, its proposer and the attester must be distinct members
   * of that epoch's committee, the proposer not yet confiscated, and the attester must not have
   * attested the proposer in that epoch before.
   */
  Optional<String> attestationProblem(
      ChainView chain, StakeLedger.State s, TrustSeal.Attested a, long height, Address sealer) {
    long activation = chain.activationHeight();
    if (a.height() < activation || a.height() > height) {
      return Optional.of(
          "attestation of a block at height %d is outside %d..%d"
              .formatted(a.height(), activation, height));
    }
    Optional<BlockHeader> p = chain.header(a.height() - 1);
    if (p.isEmpty() || !p.get().hash().equals(a.previousHash())) {
      return Optional.of("the attested block does not build on the canonical chain");
    }
    if (chain.header(a.height()).map(c -> c.hash().equals(a.hash())).orElse(false)) {
      return Optional.of("the attested block is canonical");
    }
    StakeLedger.Offence o = stake.offence(a, activation);
    List<Address> committee = s.committees.get(o.epoch());
    if (committee == null) {
      return Optional.of(
          "the attested block's epoch %d is more than %d epochs before epoch %d"
              .formatted(o.epoch(), stake.attestationEpochs - 1, s.epoch));
    }
    if (!committee.contains(a.proposer())) {
      return Optional.of(
          "the attested proposer %s was not in the committee of epoch %d"
              .formatted(a.proposer(), o.epoch()));
    }
    if (!committee.contains(sealer)) {
      return Optional.of(
          "the attester %s was not in the committee of epoch %d".formatted(sealer, o.epoch()));
    }
    if (sealer.equals(a.proposer())) {
      return Optional.of("%s cannot attest its own block".formatted(sealer));
    }
    if (s.confiscated.contains(a.proposer())) {
      return Optional.of("%s was confiscated already".formatted(a.proposer()));
    }
    if (s.attestations.getOrDefault(o, Set.of()).contains(sealer)) {
      return Optional.of(
          "%s attested %s in epoch %d already".formatted(sealer, a.proposer(), o.epoch()));
    }
    return Optional.empty();
  }

  /**
   * Why kind-3 evidence does not prove an invalid block: the proof must place the transaction's
   * bytes in the header's transactions root, and those bytes must not decode or must carry a
   * signature that does not verify. (Validity that depends on state, such as funds or nonces,
   * cannot be proven this way.)
   */
  static Optional<String> invalidTransactionProblem(
      BlockHeader header, TrustSeal.InvalidTransaction itx) {
    if (!itx.proof().verifyTransaction(itx.tx(), header)) {
      return Optional.of("invalid-transaction evidence: the proof does not verify");
    }
    try {
      Transaction tx = Transaction.decode(itx.tx());
      return tx.signatureProblem().isPresent()
          ? Optional.empty()
          : Optional.of("invalid-transaction evidence: the transaction is well-formed and signed");
    } catch (org.gridtrade.ledger.DecodeException e) {
      return Optional.empty();
    }
  }

  EngineListener newEvidenceReporter() {
    return new EngineListener() {
      @Override
      public void onEvidence(Evidence evidence) {
        try {
          report(evidence);
        } catch (IllegalArgumentException e) {
          // not evidence under this protocol's seals
        }
      }

      @Override
      public void onRejected(Rejection rejection) {
        Block b = rejection.block();
        if (rejection.kind() != Rejection.Kind.INVALID || protocol.signer(b.header()).isEmpty()) {
          return;
        }
        try {
          reportInvalidTransaction(b);
        } catch (IllegalArgumentException e) {
          reportInvalid(b.header());
          attestInvalid(b.header());
        }
      }
    };
  }
}
