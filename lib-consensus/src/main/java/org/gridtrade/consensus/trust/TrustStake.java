package org.gridtrade.consensus.trust;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.consensus.EngineListener;
import org.gridtrade.consensus.Evidence;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.InclusionProof;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.spi.RatingDecoder;

/**
 * Trust-based stake (Haider Ch. 3–4), with the validator rules of docs/trust.md, "The trust-stake
 * protocol".
 *
 * <ul>
 *   <li><b>Deposit (burn)</b>: an account becomes a candidate by burning trust coins: a {@link
 *       Payload.Transfer} to {@link #BURN_ADDRESS}, an address derived from a domain string, not
 *       from a public key, so nobody can spend what it holds (finding a key for it is a 160-bit
 *       preimage search). Its deposit is the sum it burned; deposits are never returned.
 *   <li><b>Candidates</b>: deposit at least {@link Builder#minDepositMicro}, trader trust ({@link
 *       TrustIndex}, Alg. 1) at least {@link Builder#minTrust}, never confiscated.
 *   <li><b>Epochs</b> of {@link Builder#epochLength} blocks (default 10) from the activation height
 *       {@code A}: epoch {@code e} covers heights {@code A + e·L .. A + e·L + L − 1}. Epoch 0 is
 *       signed by the configured {@link Builder#initialValidators}. When the {@link
 *       Builder#selectionBlock}-th block (default the 5th) of epoch {@code e} is folded, the
 *       committee of epoch {@code e + 1} is chosen from the candidates that are not in epoch {@code
 *       e}'s committee, ranked by deposit (then validator trust, then address), the first {@link
 *       Builder#committeeSize} (default 10). If fewer are left, the best current members who are
 *       still candidates fill the committee; if nobody qualifies, the current committee continues.
 *   <li><b>Order</b>: the committee signs in a random order, a Fisher–Yates shuffle with draws
 *       {@code SHA-256("GridTrade/trust/order" ‖ hash(last block of the previous epoch) ‖ i)}. The
 *       block at offset {@code k} of the epoch is in turn for {@code order[k mod n]}; the member
 *       {@code r} places later may sign after {@code r ×} {@link Builder#timeout} (a block of rank
 *       {@code r} must be that much later than its parent); weight {@code n − r}.
 *   <li><b>Validator trust</b> (Alg. 4): every block updates its proposer's trust with {@code tv_b}
 *       from its registration age, the coins traded and the transactions in the block, and the
 *       trust of the other committee members (start: {@link TrustParameters#baseValidatorTrust}).
 *   <li><b>Confiscation</b>: a seal may carry evidence against a validator: two different headers
 *       it signed at one height (equivocation), or one header it signed on a canonical parent that
 *       breaks the slot rules (it was not in that epoch's committee, or signed before its rank's
 *       delay: an invalid block every node rejected), or a block with a badly signed transaction
 *       (header, transaction and inclusion proof). From that block on, the offender's deposit is 0,
 *       it is never a candidate again, and it leaves the current order. The coins were burned
 *       already; confiscation takes away what they bought. A later deposit does not count.
 *   <li><b>Attested invalid blocks</b>: a block that is invalid only against its parent's state
 *       (funds, nonces, the state root, a wrong trust-coin reward, bad evidence in its seal) cannot
 *       be proven in a seal. Each committee member that checked such a block against a canonical
 *       parent and rejected it attests it in one of its seals ({@link #attestInvalid}); when the
 *       distinct attesters against one proposer's blocks of epoch {@code e}, all members of epoch
 *       {@code e}'s committee of {@code n}, reach {@code ⌊2m/3⌋ + 1} with {@code m = n − 1}, the
 *       proposer's deposit is confiscated as above. <i>Trust bound</i>: nobody can check an
 *       attestation, so it is safe only while fewer than {@code ⌊2m/3⌋ + 1} members of a committee
 *       lie: that many colluding members can confiscate another member of their epoch (they could
 *       also seal every block of the epoch), and more than {@code m − ⌊2m/3⌋ − 1} members who stay
 *       silent shield an offender (its invalid block is still rejected by every node). The rule is
 *       safe and live when fewer than a third of the committee misbehave, as in BFT protocols. A
 *       committee of 1 or 2 cannot confiscate this way (1 needs an attester it does not have; with
 *       2, the one other member suffices).
 *   <li><b>Trust coins</b> (Alg. 3): trust coins are the chain's coins ({@link
 *       Builder#trustCoinMicro} micro-coins each, default one coin). With a {@link
 *       Builder#treasury} key (an authority of the chain), the block at height {@code h + 1} starts
 *       with a {@link Payload.Reward} of {@link #trustCoins block h's trust coins} to block {@code
 *       h}'s proposer, and {@link #checkBlock} requires exactly it. The parent is paid, not the
 *       block itself, because the engine asks {@link #rewardsAndPenalties} before it selects the
 *       block's transactions, on which Alg. 3 depends; the last block's coins are paid once a next
 *       block is built. Not paid: blocks below the activation height (the block at the activation
 *       height pays nothing, its parent was governed by another protocol or is genesis), blocks
 *       whose proposer's deposit is confiscated (by that block or earlier, or by the evidence the
 *       paying block's seal carries), and blocks that carry nothing but the treasury's transactions
 *       (else every block would owe the next one a reward and the chain would never fall idle). So
 *       Haider's loop closes: validators earn coins by proposing and burn coins to stake.
 * </ul>
 *
 * <p><b>Seal</b>: version {@code 0x02}, the signer's public key (32 bytes), an evidence kind (0
 * none; 1: an invalid header follows; 2: two equivocating headers follow; 3: a header, then a
 * u32-length transaction and a u32-length {@link InclusionProof} of it in the header's transactions
 * root, the transaction not decoding or badly signed; 4: an attestation, {@code height ‖
 * previousHash ‖ hash ‖ proposer} of the invalid block; a header is a u16 length and its canonical
 * encoding, {@link BlockHeader#encode()}), then an Ed25519 signature (64) over {@code
 * "GridTrade/trust/v1" ‖ sealingHash ‖ all seal bytes before it}. Seals of version {@code 0x01},
 * written before, are still read: they hold each header as its canonical encoding without the
 * leading version byte. Queue evidence with {@link #report(Evidence)}, {@link
 * #reportInvalid(BlockHeader)}, {@link #reportInvalidTransaction(Block)} or {@link
 * #attestInvalid(BlockHeader)}; an engine running this protocol does so itself through {@link
 * #evidenceReporter()}. The next seal of this node carries the first still-valid item that fits.
 * Queued evidence lives in memory: a node that restarts forgets it.
 *
 * <p><b>State</b> is folded from the chain's blocks ({@link ChainView#block}), from height 1 (trust
 * and deposits before the activation count), and cached by block hash; a node opening a store
 * replays it. Folding one block costs a copy of the state (linear in accounts and open trades).
 *
 * <p><b>Grinding limitation</b>: committee membership is a deterministic function of deposits and
 * trust; only the order within an epoch is random, seeded by the last block of the previous epoch,
 * whose proposer can try contents or timestamps to pick an order (e.g. to sign the first slot
 * itself in the next epoch if it is a member of both). It cannot add itself to a committee. The
 * ranking by deposit means the largest depositors alternate between epochs, as Haider describes.
 *
 * <p><b>Not done</b>: a proof of state-dependent invalidity that any node can check on its own (it
 * would need the block and a proof of the parent state's accounts); such blocks confiscate by
 * attestation, under the trust bound above. Thread-safe.
 *
 * <p>This class is the protocol's public face; package-private parts do the work by concern: the
 * stake ledger (the state folded from the chain, committees, ranks and slot rules, validator trust
 * and trust coins), the evidence queue (what this node's seals carry, and whether evidence holds)
 * and the seal codec.
 */
public final class TrustStake implements ConsensusProtocol {
  /** Where burned trust coins go: the first 20 bytes of {@code SHA-256("GridTrade/trust/burn")}. */
  public static final Address BURN_ADDRESS =
      Address.ofBytes(
          java.util.Arrays.copyOf(
              Hash.sha256("GridTrade/trust/burn".getBytes(StandardCharsets.US_ASCII)).bytes(),
              Address.LENGTH));

  private static final byte[] ORDER = "GridTrade/trust/order".getBytes(StandardCharsets.US_ASCII);

  /** The most evidence a seal holds: the seal limit less version, key and signature. */
  private static final int MAX_EVIDENCE_BYTES =
      BlockHeader.MAX_SEAL_BYTES - 1 - PublicKey.LENGTH - Signature.LENGTH;

  private final List<Address> initialValidators;
  private final int epochLength;
  private final int committeeSize;
  private final int selectionBlock;
  private final long minDepositMicro;
  private final double minTrust;
  private final long timeoutMillis;
  private final TrustParameters params;
  private final KeyPair treasury;
  private final long trustCoinMicro;
  private final int attestationEpochs;
  private final StakeLedger stake;
  private final EvidenceQueue queue;

  private TrustStake(Builder b) {
    this.initialValidators = List.copyOf(b.initialValidators);
    this.epochLength = b.epochLength;
    this.committeeSize = b.committeeSize;
    this.selectionBlock = b.selectionBlock;
    this.minDepositMicro = b.minDepositMicro;
    this.minTrust = b.minTrust;
    this.timeoutMillis = b.timeoutMillis;
    this.params = b.params;
    this.treasury = b.treasury;
    this.trustCoinMicro = b.trustCoinMicro;
    this.attestationEpochs = b.attestationEpochs;
    this.stake =
        new StakeLedger(
            initialValidators,
            epochLength,
            committeeSize,
            selectionBlock,
            minDepositMicro,
            minTrust,
            timeoutMillis,
            params,
            treasury,
            trustCoinMicro,
            attestationEpochs,
            b.decoders);
    this.queue = new EvidenceQueue(this, stake);
  }

  /**
   * A builder.
   *
   * @return a builder with the defaults stated on its setters
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "trust-stake";
  }

  // ---------------------------------------------------------------- selection (pure)

  /**
   * A validator candidate as the selection sees it.
   *
   * @param address the account
   * @param depositMicro what it burned, micro-coins, 0 or more
   * @param trust its trader trust (Alg. 1), 0 to 5
   * @param validatorTrust its validator trust (Alg. 4), 0 to 5
   */
  public record Candidate(Address address, long depositMicro, double trust, double validatorTrust) {
    /** Validates the fields. */
    public Candidate {
      Objects.requireNonNull(address, "address");
      if (depositMicro < 0) {
        throw new IllegalArgumentException(
            "depositMicro %d of %s must be >= 0".formatted(depositMicro, address));
      }
      if (!(trust >= 0 && trust <= 5) || !(validatorTrust >= 0 && validatorTrust <= 5)) {
        throw new IllegalArgumentException(
            "trust %s / validatorTrust %s of %s not in 0..5"
                .formatted(trust, validatorTrust, address));
      }
    }
  }

  /**
   * The next epoch's committee: the qualifying candidates (deposit at least {@link
   * Builder#minDepositMicro}, trust at least {@link Builder#minTrust}, not in {@code confiscated})
   * that are not in {@code current}, ranked by deposit, then validator trust, then address, the
   * first {@link Builder#committeeSize}; places left are filled by the best qualifying members of
   * {@code current}; if none qualifies at all, {@code current} minus {@code confiscated}.
   *
   * @param pool every candidate (one entry per address)
   * @param current the current epoch's committee
   * @param confiscated accounts whose deposit was confiscated
   * @return the committee, in rank order
   * @throws IllegalArgumentException if {@code pool} lists an address twice
   */
  public List<Address> selectCommittee(
      Collection<Candidate> pool, Collection<Address> current, Set<Address> confiscated) {
    return stake.selectCommittee(pool, current, confiscated);
  }

  /**
   * The signing order of a committee: a Fisher–Yates shuffle of the committee sorted by address,
   * draw {@code i} taking {@code SHA-256("GridTrade/trust/order" ‖ seed ‖ i)} as an unsigned 64-bit
   * number modulo {@code n − i} (bias below 2^-50 for committees this size).
   *
   * @param committee the committee
   * @param seed the hash of the last block before the epoch
   * @return the order
   */
  public static List<Address> signingOrder(Collection<Address> committee, Hash seed) {
    List<Address> a = new ArrayList<>(new TreeSet<>(committee));
    for (int i = a.size() - 1; i > 0; i--) {
      byte[] d = Hash.sha256(ORDER, seed.bytes(), ByteBuffer.allocate(4).putInt(i).array()).bytes();
      long u = ByteBuffer.wrap(d).getLong();
      int j = (int) Long.remainderUnsigned(u, i + 1);
      Collections.swap(a, i, j);
    }
    return List.copyOf(a);
  }

  // ---------------------------------------------------------------- state

  /**
   * Attestations, carried in seals, that a validator signed an invalid block in an epoch, before
   * they confiscate its deposit.
   *
   * @param offender the validator
   * @param epoch the epoch of the block
   * @param attesters the distinct members of that epoch's committee that attested it
   * @param needed how many attesters confiscate: {@code ⌊2m/3⌋ + 1} with {@code m} the epoch's
   *     other committee members
   */
  public record Attestation(Address offender, long epoch, Set<Address> attesters, int needed) {
    /** Copies the set. */
    public Attestation {
      Objects.requireNonNull(offender, "offender");
      attesters = Collections.unmodifiableSet(new TreeSet<>(attesters));
    }
  }

  /**
   * What the protocol knows after a block.
   *
   * @param height the block's height
   * @param epoch the epoch of the next block
   * @param committee the next block's epoch committee
   * @param order its signing order, confiscated members removed
   * @param nextCommittee the following epoch's committee, once chosen (empty before)
   * @param depositsMicro every deposit, by address
   * @param confiscated accounts whose deposit was confiscated
   * @param validatorTrust validator trust (Alg. 4) of every account that proposed a block
   * @param trust the trader trust index (a copy)
   * @param attestations attestations of invalid blocks not yet enough to confiscate, by offender
   *     then epoch
   */
  public record Snapshot(
      long height,
      long epoch,
      List<Address> committee,
      List<Address> order,
      List<Address> nextCommittee,
      Map<Address, Long> depositsMicro,
      Set<Address> confiscated,
      Map<Address, Double> validatorTrust,
      TrustIndex trust,
      List<Attestation> attestations) {
    /** Copies the collections. */
    public Snapshot {
      attestations = List.copyOf(attestations);
      committee = List.copyOf(committee);
      order = List.copyOf(order);
      nextCommittee = List.copyOf(nextCommittee);
      depositsMicro = Collections.unmodifiableMap(new TreeMap<>(depositsMicro));
      confiscated = Collections.unmodifiableSet(new TreeSet<>(confiscated));
      validatorTrust = Collections.unmodifiableMap(new TreeMap<>(validatorTrust));
    }
  }

  /**
   * The protocol state after a canonical block.
   *
   * @param chain the canonical chain, with blocks ({@link ChainView#block})
   * @param header a canonical header at or after the activation height − 1
   * @return the snapshot
   * @throws IllegalStateException if the header is not canonical or the view has no blocks
   */
  public Snapshot snapshot(ChainView chain, BlockHeader header) {
    return stake.snapshot(chain, header);
  }

  // ---------------------------------------------------------------- protocol

  @Override
  public Optional<String> sealingProblem(
      ChainView chain, BlockHeader head, LedgerState headState, Address account) {
    StakeLedger.State s = stake.state(chain, head);
    if (s.confiscated.contains(account)) {
      return Optional.of(
          "%s had its deposit confiscated; it cannot join a committee again".formatted(account));
    }
    boolean member =
        (s.committee != null && s.committee.contains(account))
            || (s.next != null && s.next.contains(account));
    long deposit = s.deposits.getOrDefault(account, 0L);
    if (member || (deposit > 0 && deposit >= minDepositMicro)) {
      return Optional.empty();
    }
    return Optional.of(
        ("%s is in neither the current nor the next committee and has burned %d micro-coins"
                + " (a candidate needs at least %d); it seals only after a deposit")
            .formatted(account, deposit, Math.max(1, minDepositMicro)));
  }

  @Override
  public Eligibility eligibility(ChainView chain, BlockHeader parent, Address proposer) {
    StakeLedger.State s = stake.state(chain, parent);
    long h = parent.height() + 1;
    Optional<Integer> r = stake.rank(s, chain.activationHeight(), h, proposer);
    if (r.isEmpty()) {
      return new Eligibility.Ineligible(
          "%s is not in the committee of epoch %d (%d live members) at height %d"
              .formatted(proposer, s.epoch, s.liveOrder().size(), h));
    }
    return new Eligibility.Eligible(r.get() * timeoutMillis, r.get() == 0);
  }

  /**
   * Queues equivocation evidence for this node's next seal.
   *
   * @param evidence two headers signed by one validator at one height
   * @throws IllegalArgumentException if the evidence does not hold for this protocol's seals
   */
  public void report(Evidence evidence) {
    queue.report(evidence);
  }

  /**
   * Queues a header that breaks the slot rules (an invalid block this node rejected) for this
   * node's next seal.
   *
   * @param header the signed header
   * @throws IllegalArgumentException if its seal does not verify
   */
  public void reportInvalid(BlockHeader header) {
    queue.reportInvalid(header);
  }

  @Override
  public byte[] seal(ChainView chain, BlockHeader unsealed, KeyPair key) {
    Objects.requireNonNull(unsealed, "unsealed");
    Objects.requireNonNull(key, "key");
    if (!unsealed.proposer().equals(key.address())) {
      throw new IllegalStateException(
          "header proposer %s is not the key's address %s"
              .formatted(unsealed.proposer(), key.address()));
    }
    BlockHeader parent =
        chain
            .header(unsealed.height() - 1)
            .orElseThrow(() -> new IllegalStateException("no parent for " + unsealed));
    Eligibility el = eligibility(chain, parent, key.address());
    if (!el.eligible()) {
      throw new IllegalStateException(((Eligibility.Ineligible) el).reason());
    }
    byte[] evidence = queue.nextEvidence(chain, parent, unsealed.height(), key.address());
    return TrustSeal.sign(unsealed, key, evidence == null ? new byte[] {0} : evidence);
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
  public void reportInvalidTransaction(Block block) {
    queue.reportInvalidTransaction(block);
  }

  /**
   * Queues this node's attestation that {@code header}'s block is invalid, for its next seal (kind
   * 4 evidence: the block's height, parent hash, hash and proposer). Call it only for a block this
   * node checked against its parent, a block of its canonical chain, and rejected ({@link
   * EngineListener.Rejection.Kind#INVALID}): other nodes cannot check the claim, they count it.
   * When more than 2/3 of the other members of the committee of the block's epoch have attested the
   * proposer's invalid blocks of that epoch in their seals, its deposit is confiscated. The
   * attestation is carried only by a seal of a member of that committee, within {@link
   * Builder#attestationEpochs} epochs, and dropped once it no longer holds (see the class notes).
   *
   * @param header the rejected block's header
   * @throws IllegalArgumentException if its seal does not verify (the proposer did not sign it)
   */
  public void attestInvalid(BlockHeader header) {
    queue.attestInvalid(header);
  }

  /**
   * A listener that queues evidence from an engine running this protocol: equivocation it finds
   * ({@link #report}), and for each block it rejects as {@link
   * EngineListener.Rejection.Kind#INVALID} whose seal verifies: proof of a badly signed transaction
   * ({@link #reportInvalidTransaction}) if it holds one, else the header as breaking the slot rules
   * ({@link #reportInvalid}, kept only if it does) and this node's attestation ({@link
   * #attestInvalid}, dropped if the slot evidence confiscates first). Blocks that only lost fork
   * choice or do not build on this node's chain are never reported.
   *
   * <p>The {@link BlockEngine} running this instance registers it itself ({@link
   * #engineListeners}); call this only to drive the reporter without an engine.
   *
   * @return the listener, the same instance on every call
   */
  public EngineListener evidenceReporter() {
    return queue.reporter;
  }

  /** Trust stake's listener: the {@link #evidenceReporter()}. */
  @Override
  public List<EngineListener> engineListeners() {
    return List.of(queue.reporter);
  }

  @Override
  public Optional<String> verifySeal(
      ChainView chain, BlockHeader header, BlockHeader parent, LedgerState parentState) {
    TrustSeal seal;
    try {
      seal = TrustSeal.decode(header.seal());
    } catch (IllegalArgumentException e) {
      return Optional.of(
          "trust-stake seal at height %d: %s".formatted(header.height(), e.getMessage()));
    }
    if (!seal.verifies(header) || !seal.sealer().address().equals(header.proposer())) {
      return Optional.of(
          "trust-stake seal at height %d does not verify or match the proposer %s"
              .formatted(header.height(), header.proposer()));
    }
    Optional<String> slot = stake.slotProblem(chain, header, parent);
    if (slot.isPresent()) {
      return slot;
    }
    if (seal.evidence().length > 1) {
      Optional<String> ev =
          queue.evidenceProblem(
              chain, parent, seal.evidence(), seal.version(), header.height(), header.proposer());
      if (ev.isPresent()) {
        return Optional.of(
            "block %d carries bad evidence: %s".formatted(header.height(), ev.get()));
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<Address> signer(BlockHeader header) {
    try {
      TrustSeal seal = TrustSeal.decode(header.seal());
      return seal.verifies(header) && seal.sealer().address().equals(header.proposer())
          ? Optional.of(header.proposer())
          : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public long weight(ChainView chain, BlockHeader header) {
    BlockHeader parent = chain.header(header.height() - 1).orElse(null);
    if (parent == null || !parent.hash().equals(header.previousHash())) {
      return 0;
    }
    StakeLedger.State s = stake.state(chain, parent);
    return stake
        .rank(s, chain.activationHeight(), header.height(), header.proposer())
        .map(r -> (long) s.liveOrder().size() - r)
        .orElse(0L);
  }

  // ---------------------------------------------------------------- trust coins (Alg. 3)

  /**
   * The trust coins (Alg. 3) a canonical block earns its proposer, in micro-coins: {@code round(ρ_b
   * × }{@link Builder#trustCoinMicro}{@code )}, {@code ρ_b = R_b + λ_b + ω_b + tv_b} ({@link
   * TrustScores#blockTrustCoins}) over the block's {@link Payload.EnergyTrade}s: {@code tf_i} the
   * trade transaction's fee, {@code ts_i} the buyer's trader trust after the block, {@code mt_i}
   * the payment ({@code tf_i} and {@code mt_i} in {@link TrustParameters#coins} units); {@code
   * tv_b} the block's Alg. 4 value, the one its proposer's validator trust was updated with. With a
   * {@link Builder#treasury} the next block pays it ({@link #rewardsAndPenalties}); without one
   * nothing is paid and this is for information.
   *
   * @param chain the canonical chain, with blocks ({@link ChainView#block})
   * @param header a canonical header
   * @return the reward, or empty if the block is below the activation height (governed by another
   *     protocol, or genesis), its proposer's deposit is confiscated (after the block), or, with a
   *     treasury, it carries nothing but the treasury's transactions
   * @throws IllegalStateException if the header is not canonical or the view has no blocks
   */
  public Optional<Payload.Reward> trustCoins(ChainView chain, BlockHeader header) {
    if (header.height() < chain.activationHeight()) {
      return Optional.empty();
    }
    StakeLedger.State s = stake.state(chain, header);
    return s.earner == null
        ? Optional.empty()
        : Optional.of(new Payload.Reward(s.earner, s.earnedMicro));
  }

  /**
   * With a treasury key: the parent's {@link #trustCoins}, a {@link Payload.Reward} signed by the
   * treasury with its nonce in {@code parentState} and fee 0; none if this node's seal of the block
   * will carry evidence against the parent's proposer (the evidence is chosen here, once per slot,
   * and {@link #seal} uses the same). The parent, not the block being built, is paid: the engine
   * asks for these transactions before it selects the block's others, and Alg. 3 depends on them.
   * Without a treasury: none.
   */
  @Override
  public List<Transaction> rewardsAndPenalties(
      ChainView chain, BlockHeader parent, LedgerState parentState, Address proposer) {
    if (treasury == null) {
      return List.of();
    }
    Optional<Payload.Reward> r = trustCoins(chain, parent);
    if (r.isEmpty()) {
      return List.of();
    }
    byte[] evidence = queue.nextEvidence(chain, parent, parent.height() + 1, proposer);
    if (evidence != null
        && stake
            .confiscatedBy(
                stake.state(chain, parent),
                TrustSeal.parseEvidence(ByteBuffer.wrap(evidence), TrustSeal.VERSION),
                proposer,
                chain.activationHeight())
            .map(r.get().to()::equals)
            .orElse(false)) {
      return List.of();
    }
    return List.of(signed(parentState, r.get()));
  }

  /** The reward signed by the treasury with its next nonce after the parent, fee 0. */
  private Transaction signed(LedgerState parentState, Payload.Reward r) {
    long nonce = parentState.account(treasury.address()).nonce();
    return new TransactionBody(parentState.chainId(), treasury.publicKey(), nonce, 0, r)
        .sign(treasury);
  }

  /**
   * With a treasury key: the block must start with exactly the parent's {@link #trustCoins} signed
   * by the treasury (none at the activation height, none if the block's seal carries evidence
   * against the parent's proposer), and carry no other reward or slash from the treasury.
   */
  @Override
  public Optional<String> checkBlock(
      ChainView chain, Block block, BlockHeader parent, LedgerState parentState) {
    if (treasury == null) {
      return Optional.empty();
    }
    List<Transaction> expected;
    try {
      Optional<Payload.Reward> r = trustCoins(chain, parent);
      Optional<Address> offender = Optional.empty();
      try {
        TrustSeal seal = TrustSeal.decode(block.header().seal());
        offender =
            stake.confiscatedBy(
                stake.state(chain, parent),
                TrustSeal.parseEvidence(ByteBuffer.wrap(seal.evidence()), seal.version()),
                block.header().proposer(),
                chain.activationHeight());
      } catch (IllegalArgumentException | BufferUnderflowException e) {
        // verifySeal rejects it
      }
      if (r.isEmpty() || offender.map(r.get().to()::equals).orElse(false)) {
        expected = List.of();
      } else {
        expected = List.of(signed(parentState, r.get()));
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      return Optional.of(
          "block %d: no trust-coin reward: %s".formatted(block.header().height(), e.getMessage()));
    }
    List<Transaction> txs = block.transactions();
    for (int i = 0; i < expected.size(); i++) {
      if (i >= txs.size() || !txs.get(i).id().equals(expected.get(i).id())) {
        return Optional.of(
            "block %d: transaction %d is not the prescribed trust-coin %s"
                .formatted(block.header().height(), i, expected.get(i).body().payload()));
      }
    }
    for (int i = expected.size(); i < txs.size(); i++) {
      Transaction t = txs.get(i);
      Payload p = t.body().payload();
      if (t.sender().equals(treasury.address())
          && (p instanceof Payload.Reward || p instanceof Payload.Slash)) {
        return Optional.of(
            "block %d: transaction %d is an unprescribed %s"
                .formatted(block.header().height(), i, p));
      }
    }
    return Optional.empty();
  }

  /** Builds a {@link TrustStake}. Not thread-safe. */
  public static final class Builder {
    private List<Address> initialValidators;
    private int epochLength = 10;
    private int committeeSize = 10;
    private int selectionBlock = 5;
    private long minDepositMicro = 1;
    private double minTrust = TrustScores.TRP2_MIN;
    private long timeoutMillis = 2_000;
    private TrustParameters params = TrustParameters.DEFAULT;
    private KeyPair treasury;
    private long trustCoinMicro = 1_000_000;
    private int attestationEpochs = 10;
    private List<RatingDecoder> decoders = List.of();

    private Builder() {}

    /**
     * Reads ratings that on-chain modules accept as well as the ledger's own (default: none). With
     * a market's decoder ({@code org.gridtrade.market.Markets.ratingDecoder()}) a trader's trust
     * grows with ratings of delivered trades, so a ring trading with itself without delivering
     * energy gains none. Every node of a chain must use the same decoders.
     *
     * @param decoders tried in this order on each module call
     * @return this builder
     */
    public Builder ratingDecoders(List<RatingDecoder> decoders) {
      this.decoders = List.copyOf(Objects.requireNonNull(decoders, "decoders"));
      return this;
    }

    /**
     * For how many epochs an invalid block may be attested (default 10): a block of epoch {@code e}
     * counts in seals of blocks in epochs {@code e .. e + epochs − 1}. Committee members often sit
     * out the next epoch (it is chosen from the rest), so allow at least 3.
     *
     * @param epochs 1 or more
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder attestationEpochs(int epochs) {
      if (epochs < 1) {
        throw new IllegalArgumentException("attestationEpochs %d must be >= 1".formatted(epochs));
      }
      this.attestationEpochs = epochs;
      return this;
    }

    /**
     * The key that signs each block's trust-coin reward (default none: nothing is paid, {@link
     * #rewardsAndPenalties} is empty). It must be an authority of the chain (its {@link
     * Payload.Reward}s mint coins), every node must be given it, and it should send nothing else,
     * since the rewards use its consecutive nonces.
     *
     * @param key the treasury key
     * @return this builder
     */
    public Builder treasury(KeyPair key) {
      this.treasury = Objects.requireNonNull(key, "treasury");
      return this;
    }

    /**
     * Micro-coins per trust coin of Alg. 3 (default 1,000,000: a trust coin is one coin of the
     * chain), so a block earning {@code ρ} trust coins is paid {@code round(ρ × micro)}.
     *
     * @param micro 1 or more
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder trustCoinMicro(long micro) {
      if (micro < 1) {
        throw new IllegalArgumentException("trustCoinMicro %d must be >= 1".formatted(micro));
      }
      this.trustCoinMicro = micro;
      return this;
    }

    /**
     * The committee of epoch 0 (required, 1 or more, no duplicates).
     *
     * @param validators the addresses
     * @return this builder
     * @throws IllegalArgumentException if empty or with duplicates
     */
    public Builder initialValidators(List<Address> validators) {
      List<Address> v = List.copyOf(validators);
      if (v.isEmpty() || new HashSet<>(v).size() != v.size()) {
        throw new IllegalArgumentException(
            "initialValidators %s must be non-empty without duplicates".formatted(v));
      }
      this.initialValidators = v;
      return this;
    }

    /**
     * Blocks per epoch (default 10, as in Haider).
     *
     * @param blocks 2 or more
     * @return this builder
     * @throws IllegalArgumentException if less than 2
     */
    public Builder epochLength(int blocks) {
      if (blocks < 2) {
        throw new IllegalArgumentException("epochLength %d must be >= 2".formatted(blocks));
      }
      this.epochLength = blocks;
      return this;
    }

    /**
     * Validators per epoch (default 10, as in Haider).
     *
     * @param size 1 or more
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder committeeSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("committeeSize %d must be >= 1".formatted(size));
      }
      this.committeeSize = size;
      return this;
    }

    /**
     * Which block of an epoch (1-based) fixes the next epoch's committee (default 5, as in Haider);
     * must not exceed the epoch length (checked by {@link #build}).
     *
     * @param block 1 or more
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder selectionBlock(int block) {
      if (block < 1) {
        throw new IllegalArgumentException("selectionBlock %d must be >= 1".formatted(block));
      }
      this.selectionBlock = block;
      return this;
    }

    /**
     * The smallest deposit of a candidate, micro-coins (default 1: any burn).
     *
     * @param micro 1 or more
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder minDepositMicro(long micro) {
      if (micro < 1) {
        throw new IllegalArgumentException("minDepositMicro %d must be >= 1".formatted(micro));
      }
      this.minDepositMicro = micro;
      return this;
    }

    /**
     * The smallest trader trust of a candidate (default {@value TrustScores#TRP2_MIN}, the TRP 2
     * threshold).
     *
     * @param trust 0 to 5
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder minTrust(double trust) {
      if (!(trust >= 0 && trust <= 5)) {
        throw new IllegalArgumentException("minTrust %s not in 0..5".formatted(trust));
      }
      this.minTrust = trust;
      return this;
    }

    /**
     * How much longer each further rank waits (default 2,000 ms); set it above the network delay.
     *
     * @param timeout at least 1 ms
     * @return this builder
     * @throws IllegalArgumentException if shorter than 1 ms
     */
    public Builder timeout(Duration timeout) {
      long millis = Objects.requireNonNull(timeout, "timeout").toMillis();
      if (millis <= 0) {
        throw new IllegalArgumentException("timeout %s must be at least 1 ms".formatted(timeout));
      }
      this.timeoutMillis = millis;
      return this;
    }

    /**
     * The trust units (default {@link TrustParameters#DEFAULT}).
     *
     * @param p the parameters
     * @return this builder
     */
    public Builder trustParameters(TrustParameters p) {
      this.params = Objects.requireNonNull(p, "trustParameters");
      return this;
    }

    /**
     * Builds the protocol.
     *
     * @return the protocol
     * @throws IllegalStateException if no initial validators were set or the selection block is
     *     past the epoch
     */
    public TrustStake build() {
      if (initialValidators == null) {
        throw new IllegalStateException("initialValidators not set");
      }
      if (selectionBlock > epochLength) {
        throw new IllegalStateException(
            "selectionBlock %d > epochLength %d".formatted(selectionBlock, epochLength));
      }
      return new TrustStake(this);
    }
  }
}
