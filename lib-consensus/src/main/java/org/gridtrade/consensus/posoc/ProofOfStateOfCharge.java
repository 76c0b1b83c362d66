package org.gridtrade.consensus.posoc;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.gridtrade.consensus.FederatedAveraging;
import org.gridtrade.consensus.StateOfChargeScores;
import org.gridtrade.consensus.internal.WeightedDraw;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.consensus.spi.StateOfChargeSource;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;

/**
 * Proof of State of Charge (Moniruzzaman Ch. 4), as docs/consensus.md, "Proof of State of Charge",
 * states it: the EVs' cumulative daily proof scores ({@link StateOfChargeScores}, Eq. 4.1–4.4,
 * 4.17) draw one aggregator-miner (mLAG) per period (Eq. 4.18), which proposes the period's blocks,
 * records the hash of the federated global model ({@link FederatedAveraging}, Eq. 4.19) in every
 * seal, and receives the EVs' β-share of their profit as its mining reward (Eq. 4.20).
 *
 * <ul>
 *   <li><b>Periods</b>: block {@code h} belongs to period {@code p = (h − 1) / blocksPerPeriod};
 *       the period's first height is {@code p · blocksPerPeriod + 1}.
 *   <li><b>Draw</b> (Eq. 4.18): the {@link StateOfChargeSource#candidates(long) candidates} of
 *       period {@code p} with a positive daily score are sorted by address and sampled without
 *       replacement, each draw picking EV {@code i} with probability {@code PS_i / Σ PS} over the
 *       EVs not yet drawn. Draw {@code k} uses {@code u_k} = the first 53 bits of {@code
 *       SHA-256("GridTrade/posoc/draw" ‖ seed ‖ p ‖ k) / 2^53}, where {@code seed} is the hash of
 *       the block before the period's first block (height {@code p · blocksPerPeriod}), fixed when
 *       the period starts. The result is the period's {@link #drawOrder re-draw order}.
 *   <li><b>Schedule</b>: the mLAG proposes every block of its period. At the period's first block
 *       rank 0 is in turn and rank {@code r} may propose after {@code r ×} {@link Builder#timeout}.
 *       Afterwards the rank {@code a} of the parent's proposer is in turn (a backup that took over
 *       keeps the period) and rank {@code r} may propose after {@code ((r − a) mod n) × timeout}
 *       for {@code n} drawn EVs: the ranks after {@code a} first, then, cyclically, the ones before
 *       it, so the chain goes on while any drawn EV is online. A block must be at least that delay
 *       later than its parent. Fork-choice weight: {@code n − r}, so a lower rank wins among
 *       competing blocks.
 *   <li><b>Global model</b> (Eq. 4.19): every block of period {@code p} records in its seal {@link
 *       FederatedAveraging#modelHash the hash} of the mean of {@link
 *       StateOfChargeSource#localModels source.localModels(p)} (none if there are no models).
 *       Verifiers recompute it and reject a block whose recorded hash differs; {@link
 *       #recordedModelHash} reads it back.
 *   <li><b>Mining reward and withholding</b> (Eq. 4.20, Fig. 4.5): the {@code mLAG} of period
 *       {@code p} is the proposer of the period's first block. Each other EV {@code i} owes it
 *       {@link #share ⌈β · R_i⌉} of its profit {@code R_i}; it pays with an ordinary signed {@link
 *       Payload.Transfer} to the mLAG, of at least that amount, in any block from the period's
 *       first block on (each transfer pays one {@link Obligation}, oldest period first). The
 *       treasury holds the profit: the first block of the next period after the payment is on chain
 *       carries a {@link Payload.Reward} of {@code R_i} to the EV. An EV that does not pay has its
 *       profit withheld, for as many periods as it takes; once its payment is on chain the next
 *       period's first block releases the withheld amount. The mLAG owes itself nothing and
 *       receives its own profit at the next period's first block. {@code M_r = Σ β · R_i} is {@link
 *       #miningReward}.
 *   <li><b>Settlement</b>: with a {@link Builder#treasury treasury} key (an authority of the
 *       chain), {@link #rewardsAndPenalties} signs {@link #settlement} as the first transactions of
 *       each period's first block and {@link #checkBlock} requires exactly them and no other
 *       treasury reward or slash. The settlement reads earlier blocks' transactions through {@link
 *       ChainView#block}, which the engine's view provides; it rescans the chain since the
 *       protocol's activation once per period (the transfers found in each block are cached).
 * </ul>
 *
 * <p><b>Seal</b> ({@link Seal}): version {@code 0x01}, the signer's Ed25519 public key (32 bytes),
 * its signature (64), a model flag (1 byte: 0 none, 1 present) and, if present, the global model
 * hash (32); the signature covers {@code "GridTrade/posoc/v1" ‖ sealingHash ‖ version ‖ public key
 * ‖ flag ‖ model hash}. 98 or 130 bytes. The header's proposer must be the key's address.
 *
 * <p><b>Grinding limitation</b>: the draw of a period is seeded by the hash of the block before it,
 * which that block's proposer (normally the outgoing mLAG) fixes. It can try different contents or
 * timestamps and publish the block whose hash draws itself or a favoured EV for the whole next
 * period; each try costs one hash, so the bias is limited only by how long it may delay its block.
 * Without grinding the draw is proportional to the daily scores; a verifiable random function or a
 * commit-reveal beacon would remove the bias and is not done yet.
 *
 * <p>If no candidate of a period has a positive daily score nobody may propose and the chain stops
 * until the source gives one. Thread-safe if the source is.
 *
 * <pre>{@code
 * TimeOfUsePrices prices = new TimeOfUsePrices(6.8, 10.0, 12.9);
 * List<StateOfChargeSource.Candidate> evs = new ArrayList<>();
 * for (int i = 0; i < n; i++) {
 *   EvDay day = new EvDay(charged[i], discharged[i], soc[i], 0.8, departure[i]);
 *   evs.add(new StateOfChargeSource.Candidate(
 *       address[i], StateOfChargeScores.dailyScore(day, prices), profitMicro[i]));
 * }
 * ProofOfStateOfCharge posoc = ProofOfStateOfCharge.builder()
 *     .source(StateOfChargeSource.fixed(evs, localModels))
 *     .blocksPerPeriod(24)
 *     .beta(0.1)
 *     .treasury(treasuryKey)
 *     .build();
 * ConsensusSchedule schedule = ConsensusSchedule.of(posoc);
 * }</pre>
 */
public final class ProofOfStateOfCharge implements ConsensusProtocol {
  private static final byte[] DOMAIN = "GridTrade/posoc/v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DRAW = "GridTrade/posoc/draw".getBytes(StandardCharsets.US_ASCII);
  private static final int TRANSFER_CACHE = 4_096;

  private final StateOfChargeSource source;
  private final long blocksPerPeriod;
  private final long timeoutMillis;
  private final double beta;
  private final KeyPair treasury;
  private final Map<Hash, List<Paid>> transfersByBlock =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, List<Paid>> eldest) {
          return size() > TRANSFER_CACHE;
        }
      };

  private ProofOfStateOfCharge(Builder b) {
    this.source = b.source;
    this.blocksPerPeriod = b.blocksPerPeriod;
    this.timeoutMillis = b.timeoutMillis;
    this.beta = b.beta;
    this.treasury = b.treasury;
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
    return "posoc";
  }

  /**
   * The re-draw timeout: how much longer the EV of each further rank waits.
   *
   * @return milliseconds, more than 0
   */
  public long timeoutMillis() {
    return timeoutMillis;
  }

  /**
   * Blocks per period (one mLAG per period).
   *
   * @return 1 or more
   */
  public long blocksPerPeriod() {
    return blocksPerPeriod;
  }

  /**
   * The share of its profit each EV pays the mLAG (Eq. 4.20's {@code β}).
   *
   * @return {@code 0 < β ≤ 1}
   */
  public double beta() {
    return beta;
  }

  /**
   * The period of a height: {@code (height − 1) / blocksPerPeriod}.
   *
   * @param height 1 or more
   * @return the period, 0 or more
   * @throws IllegalArgumentException if {@code height < 1}
   */
  public long period(long height) {
    if (height < 1) {
      throw new IllegalArgumentException("height %d must be >= 1".formatted(height));
    }
    return (height - 1) / blocksPerPeriod;
  }

  /**
   * The first height of a period: {@code period · blocksPerPeriod + 1}.
   *
   * @param period 0 or more
   * @return the height
   * @throws IllegalArgumentException if {@code period < 0}
   */
  public long firstHeight(long period) {
    if (period < 0) {
      throw new IllegalArgumentException("period %d must be >= 0".formatted(period));
    }
    return Math.addExact(Math.multiplyExact(period, blocksPerPeriod), 1);
  }

  /**
   * What an EV with profit {@code R} owes the mLAG: {@code ⌈β · R⌉} micro-coins, computed in
   * decimal from β's shortest decimal form ({@code β = 0.1} and {@code R = 1,000} owe exactly 100).
   *
   * @param profitMicro {@code R}, 0 or more
   * @return the share, 0 only if {@code R} is 0
   * @throws IllegalArgumentException if {@code profitMicro} is negative
   */
  public long share(long profitMicro) {
    if (profitMicro < 0) {
      throw new IllegalArgumentException("profitMicro %d must be >= 0".formatted(profitMicro));
    }
    return BigDecimal.valueOf(beta)
        .multiply(BigDecimal.valueOf(profitMicro))
        .setScale(0, RoundingMode.CEILING)
        .longValueExact();
  }

  /**
   * The mining reward of a period (Eq. 4.20): {@code M_r = Σ_i} {@link #share share(R_i)} over the
   * period's candidates. The mLAG's own share stays with it, so it receives {@code M_r} minus that
   * from the other EVs' transfers.
   *
   * @param period the period
   * @return micro-coins
   */
  public long miningReward(long period) {
    long sum = 0;
    for (StateOfChargeSource.Candidate c : candidates(period)) {
      sum = Math.addExact(sum, share(c.profitMicro()));
    }
    return sum;
  }

  /**
   * One entry of a period's draw order.
   *
   * @param rank 0 for the first draw, 1 for the re-draw after the first EV refused, and so on
   * @param ev the drawn EV
   */
  public record Draw(int rank, StateOfChargeSource.Candidate ev) {
    public Draw {
      if (rank < 0) {
        throw new IllegalArgumentException("rank %d must be >= 0".formatted(rank));
      }
      Objects.requireNonNull(ev, "ev");
    }

    /**
     * The drawn EV's address, which signs the period's blocks.
     *
     * @return the address
     */
    public Address address() {
      return ev.address();
    }
  }

  /**
   * The draw order of a period: the first draw (the mLAG), then the re-draws from the remaining
   * EVs, until every EV with a positive daily score is drawn.
   *
   * @param seed the hash of the block at height {@code period · blocksPerPeriod} (the randomness)
   * @param period the period
   * @return the draws, by rank; empty if no EV has a positive daily score
   * @throws IllegalStateException if the source lists one address twice
   */
  public List<Draw> drawOrder(Hash seed, long period) {
    Objects.requireNonNull(seed, "seed");
    List<StateOfChargeSource.Candidate> left = new ArrayList<>();
    for (StateOfChargeSource.Candidate c : candidates(period)) {
      if (c.dailyScore() > 0) {
        left.add(c);
      }
    }
    left.sort(Comparator.comparing(StateOfChargeSource.Candidate::address));
    List<StateOfChargeSource.Candidate> drawn =
        WeightedDraw.order(
            left, StateOfChargeSource.Candidate::dailyScore, k -> unit(seed, period, k));
    List<Draw> order = new ArrayList<>(drawn.size());
    for (StateOfChargeSource.Candidate c : drawn) {
      order.add(new Draw(order.size(), c));
    }
    return List.copyOf(order);
  }

  /**
   * The seed of a period's draw: the hash of the block at height {@code period · blocksPerPeriod}.
   *
   * @param chain a chain that reaches that height
   * @param period the period
   * @return the hash
   * @throws IllegalStateException if the chain is shorter
   */
  public Hash drawSeed(ChainView chain, long period) {
    long at = firstHeight(period) - 1;
    return chain
        .header(at)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "chain has no block %d, the seed of period %d".formatted(at, period)))
        .hash();
  }

  private List<StateOfChargeSource.Candidate> candidates(long period) {
    List<StateOfChargeSource.Candidate> all =
        List.copyOf(Objects.requireNonNull(source.candidates(period), "candidates"));
    Set<Address> seen = new HashSet<>();
    for (StateOfChargeSource.Candidate c : all) {
      if (!seen.add(c.address())) {
        throw new IllegalStateException(
            "state-of-charge source lists EV %s twice in period %d".formatted(c.address(), period));
      }
    }
    return all;
  }

  private static double unit(Hash seed, long period, int k) {
    return WeightedDraw.unit(
        DRAW, seed.bytes(), ByteBuffer.allocate(12).putLong(period).putInt(k).array());
  }

  /** The draw order for the block after {@code parent}, with the in-turn rank. */
  private record Turn(long height, long period, List<Draw> order, int active) {
    Optional<Draw> of(Address a) {
      return order.stream().filter(d -> d.address().equals(a)).findFirst();
    }

    /** How many timeouts rank {@code r} waits: its distance after the in-turn rank, cyclically. */
    long steps(int r) {
      return Math.floorMod(r - active, order.size());
    }
  }

  private Turn turn(ChainView chain, BlockHeader parent) {
    long h = parent.height() + 1;
    long p = period(h);
    long seedHeight = firstHeight(p) - 1;
    Hash seed = parent.height() == seedHeight ? parent.hash() : drawSeed(chain, p);
    List<Draw> order = drawOrder(seed, p);
    int active = 0;
    long first = Math.max(firstHeight(p), chain.activationHeight());
    if (parent.height() >= first) {
      for (Draw d : order) {
        if (d.address().equals(parent.proposer())) {
          active = d.rank();
          break;
        }
      }
    }
    return new Turn(h, p, order, active);
  }

  @Override
  public Eligibility eligibility(ChainView chain, BlockHeader parent, Address proposer) {
    Turn t = turn(chain, parent);
    if (t.order().isEmpty()) {
      return new Eligibility.Ineligible(
          "no EV has a positive daily score in period %d".formatted(t.period()));
    }
    Optional<Draw> d = t.of(proposer);
    if (d.isEmpty()) {
      return new Eligibility.Ineligible(
          "%s is none of the %d drawn EVs of period %d"
              .formatted(proposer, t.order().size(), t.period()));
    }
    int r = d.get().rank();
    return new Eligibility.Eligible(t.steps(r) * timeoutMillis, r == t.active());
  }

  /**
   * The global model of a period (Eq. 4.19): the mean of the source's local models.
   *
   * @param period the period
   * @return the model, or empty if no local models were submitted
   * @throws IllegalArgumentException if the local models are malformed (see {@link
   *     FederatedAveraging#average})
   */
  public Optional<double[]> globalModel(long period) {
    List<double[]> models = Objects.requireNonNull(source.localModels(period), "localModels");
    return models.isEmpty() ? Optional.empty() : Optional.of(FederatedAveraging.average(models));
  }

  /**
   * The hash every block of the period records: {@link FederatedAveraging#modelHash} of {@link
   * #globalModel}.
   *
   * @param period the period
   * @return the hash, or empty if no local models were submitted
   */
  public Optional<Hash> globalModelHash(long period) {
    return globalModel(period).map(FederatedAveraging::modelHash);
  }

  /**
   * The global model hash recorded in a header's seal.
   *
   * @param header a PoSOC-sealed header
   * @return the hash, or empty if the seal records none, does not parse or does not verify
   */
  public static Optional<Hash> recordedModelHash(BlockHeader header) {
    try {
      Seal seal = Seal.decode(header.seal());
      return seal.verifies(header) ? seal.modelHash() : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
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
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "chain has no parent for height %d".formatted(unsealed.height())));
    Eligibility e = eligibility(chain, parent, key.address());
    if (e instanceof Eligibility.Ineligible no) {
      throw new IllegalStateException(no.reason());
    }
    return Seal.sign(unsealed, key, globalModelHash(period(unsealed.height()))).encode();
  }

  @Override
  public Optional<String> verifySeal(
      ChainView chain, BlockHeader header, BlockHeader parent, LedgerState parentState) {
    Seal seal;
    try {
      seal = Seal.decode(header.seal());
    } catch (IllegalArgumentException e) {
      return Optional.of("PoSOC seal at height %d: %s".formatted(header.height(), e.getMessage()));
    }
    if (!seal.verifies(header) || !seal.sealer().address().equals(header.proposer())) {
      return Optional.of(
          "PoSOC seal at height %d does not verify or match the proposer %s"
              .formatted(header.height(), header.proposer()));
    }
    Turn t = turn(chain, parent);
    Optional<Draw> d = t.of(header.proposer());
    if (d.isEmpty()) {
      return Optional.of("%s is no drawn EV of period %d".formatted(header.proposer(), t.period()));
    }
    int r = d.get().rank();
    long gap = header.timestamp() - parent.timestamp();
    long due = t.steps(r) * timeoutMillis;
    if (gap < due) {
      return Optional.of(
          "block %d of rank %d (in turn: %d) is %d ms after its parent, must be >= %d ms"
              .formatted(header.height(), r, t.active(), gap, due));
    }
    Optional<Hash> expected;
    try {
      expected = globalModelHash(t.period());
    } catch (IllegalArgumentException e) {
      return Optional.of("global model of period %d: %s".formatted(t.period(), e.getMessage()));
    }
    if (!expected.equals(seal.modelHash())) {
      return Optional.of(
          "block %d records global model hash %s, period %d's is %s"
              .formatted(
                  header.height(),
                  seal.modelHash().map(Hash::toString).orElse("none"),
                  t.period(),
                  expected.map(Hash::toString).orElse("none")));
    }
    return Optional.empty();
  }

  @Override
  public Optional<Address> signer(BlockHeader header) {
    try {
      Seal seal = Seal.decode(header.seal());
      return seal.verifies(header) && seal.sealer().address().equals(header.proposer())
          ? Optional.of(header.proposer())
          : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public long weight(ChainView chain, BlockHeader header) {
    long p = period(header.height());
    Hash seed = header.height() == firstHeight(p) ? header.previousHash() : drawSeed(chain, p);
    List<Draw> order = drawOrder(seed, p);
    for (Draw d : order) {
      if (d.address().equals(header.proposer())) {
        return order.size() - d.rank();
      }
    }
    return 0;
  }

  /**
   * One EV's mining-reward obligation for one period and whether it is paid.
   *
   * @param period the period
   * @param ev the EV
   * @param mlag the period's mLAG (proposer of its first block), whom the EV pays
   * @param shareMicro what the EV owes, {@link #share share(profitMicro)}
   * @param profitMicro the profit the treasury releases once it is paid
   * @param paidAtHeight the height of the block with the paying transfer (the period's first block
   *     for the mLAG itself), or -1 if unpaid so far
   */
  public record Obligation(
      long period, Address ev, Address mlag, long shareMicro, long profitMicro, long paidAtHeight) {
    public Obligation {
      Objects.requireNonNull(ev, "ev");
      Objects.requireNonNull(mlag, "mlag");
    }

    /**
     * Whether the payment is on chain.
     *
     * @return {@code true} if paid
     */
    public boolean paid() {
      return paidAtHeight >= 0;
    }
  }

  /** A transfer found in a block. */
  private record Paid(Address from, Address to, long amount) {}

  /** A transfer at a height, and whether an obligation has claimed it. */
  private static final class Slot {
    final long height;
    final Paid transfer;
    boolean used;

    Slot(long height, Paid transfer) {
      this.height = height;
      this.transfer = transfer;
    }
  }

  private List<Paid> transfers(ChainView chain, long height) {
    BlockHeader header =
        chain
            .header(height)
            .orElseThrow(
                () -> new IllegalStateException("chain has no block %d".formatted(height)));
    synchronized (transfersByBlock) {
      List<Paid> cached = transfersByBlock.get(header.hash());
      if (cached != null) {
        return cached;
      }
    }
    Block block =
        chain
            .block(height)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "chain view gives no block %d; the PoSOC settlement reads transactions"
                            .formatted(height)));
    List<Paid> out = new ArrayList<>();
    for (Transaction tx : block.transactions()) {
      if (tx.body().payload() instanceof Payload.Transfer t) {
        out.add(new Paid(tx.sender(), t.to(), t.amount()));
      }
    }
    List<Paid> list = List.copyOf(out);
    synchronized (transfersByBlock) {
      transfersByBlock.put(header.hash(), list);
    }
    return list;
  }

  /**
   * Every obligation of the periods governed by this protocol whose first block is at or below
   * {@code throughHeight}, with its payment status as of that height, by period then address. EVs
   * with profit 0 owe nothing and are not listed. Each {@link Payload.Transfer} from the EV to the
   * period's mLAG of at least the share, in a block from the period's first block on, pays one
   * obligation: the oldest unpaid one it qualifies for, the earliest such transfer first.
   *
   * @param chain the chain, reaching {@code throughHeight}, with blocks
   * @param throughHeight the last height to read, 1 or more
   * @return the obligations
   * @throws IllegalStateException if the chain view gives no blocks
   */
  public List<Obligation> obligations(ChainView chain, long throughHeight) {
    long activation = chain.activationHeight();
    if (throughHeight < activation) {
      return List.of();
    }
    long firstPeriod = period(activation);
    long lastPeriod = period(throughHeight);
    Map<Address, List<Slot>> bySender = new HashMap<>();
    for (long h = activation; h <= throughHeight; h++) {
      for (Paid t : transfers(chain, h)) {
        bySender.computeIfAbsent(t.from(), k -> new ArrayList<>()).add(new Slot(h, t));
      }
    }
    List<Obligation> out = new ArrayList<>();
    for (long p = firstPeriod; p <= lastPeriod; p++) {
      long start = Math.max(firstHeight(p), activation);
      Address mlag =
          chain
              .header(start)
              .orElseThrow(() -> new IllegalStateException("chain has no block " + start))
              .proposer();
      List<StateOfChargeSource.Candidate> evs = new ArrayList<>(candidates(p));
      evs.sort(Comparator.comparing(StateOfChargeSource.Candidate::address));
      for (StateOfChargeSource.Candidate c : evs) {
        if (c.profitMicro() == 0) {
          continue;
        }
        long owed = share(c.profitMicro());
        long paidAt = -1;
        if (c.address().equals(mlag)) {
          paidAt = start;
        } else {
          for (Slot slot : bySender.getOrDefault(c.address(), List.of())) {
            if (!slot.used
                && slot.height >= start
                && slot.transfer.to().equals(mlag)
                && slot.transfer.amount() >= owed) {
              slot.used = true;
              paidAt = slot.height;
              break;
            }
          }
        }
        out.add(new Obligation(p, c.address(), mlag, owed, c.profitMicro(), paidAt));
      }
    }
    return List.copyOf(out);
  }

  /**
   * The settlement the block after {@code parent} carries: if it is the first block of a period
   * {@code q}, a {@link Payload.Reward} of {@code R_i} for every obligation paid in a block of
   * period {@code q − 1} (its own or a withheld older one), by period then address; otherwise none.
   *
   * @param chain the chain, ending at {@code parent}, with blocks
   * @param parent the parent header
   * @return the payloads
   * @throws IllegalStateException if the chain view gives no blocks
   */
  public List<Payload> settlement(ChainView chain, BlockHeader parent) {
    long h = parent.height() + 1;
    long q = period(h);
    if (h != firstHeight(q) || parent.height() < chain.activationHeight()) {
      return List.of();
    }
    List<Payload> out = new ArrayList<>();
    for (Obligation o : obligations(chain, parent.height())) {
      if (o.paid() && period(o.paidAtHeight()) == q - 1) {
        out.add(new Payload.Reward(o.ev(), o.profitMicro()));
      }
    }
    return List.copyOf(out);
  }

  /**
   * With a treasury key: {@link #settlement} signed by the treasury with consecutive nonces from
   * its nonce in {@code parentState} and fee 0. Without one: none.
   */
  @Override
  public List<Transaction> rewardsAndPenalties(
      ChainView chain, BlockHeader parent, LedgerState parentState, Address proposer) {
    if (treasury == null) {
      return List.of();
    }
    long nonce = parentState.account(treasury.address()).nonce();
    List<Transaction> out = new ArrayList<>();
    for (Payload p : settlement(chain, parent)) {
      out.add(
          new TransactionBody(parentState.chainId(), treasury.publicKey(), nonce++, 0, p)
              .sign(treasury));
    }
    return List.copyOf(out);
  }

  /**
   * With a treasury key: the block must start with exactly the transactions {@link
   * #rewardsAndPenalties} prescribes, and carry no other reward or slash from the treasury.
   */
  @Override
  public Optional<String> checkBlock(
      ChainView chain, Block block, BlockHeader parent, LedgerState parentState) {
    if (treasury == null) {
      return Optional.empty();
    }
    List<Transaction> expected;
    try {
      expected = rewardsAndPenalties(chain, parent, parentState, block.header().proposer());
    } catch (RuntimeException e) {
      return Optional.of("PoSOC settlement of block %d: %s".formatted(block.height(), e));
    }
    List<Transaction> txs = block.transactions();
    for (int i = 0; i < expected.size(); i++) {
      if (i >= txs.size() || !txs.get(i).id().equals(expected.get(i).id())) {
        return Optional.of(
            "block %d: transaction %d is not the prescribed %s"
                .formatted(block.height(), i, expected.get(i).body().payload()));
      }
    }
    for (int i = expected.size(); i < txs.size(); i++) {
      Transaction t = txs.get(i);
      Payload p = t.body().payload();
      if (t.sender().equals(treasury.address())
          && (p instanceof Payload.Reward || p instanceof Payload.Slash)) {
        return Optional.of(
            "block %d: transaction %d is an unprescribed %s".formatted(block.height(), i, p));
      }
    }
    return Optional.empty();
  }

  /**
   * A decoded PoSOC seal: version {@code 0x01}, the signer's public key (32 bytes), its Ed25519
   * signature (64), a model flag (0 or 1) and, with flag 1, the global model hash (32). The
   * signature covers {@code "GridTrade/posoc/v1" ‖ sealingHash ‖ version ‖ public key ‖ flag ‖
   * model hash}.
   *
   * @param sealer the signer's public key
   * @param signature the signature
   * @param modelHash the recorded global model hash, or empty
   */
  public record Seal(PublicKey sealer, Signature signature, Optional<Hash> modelHash) {
    /** Encoded length without a model hash. */
    public static final int LENGTH_WITHOUT_MODEL = 1 + PublicKey.LENGTH + Signature.LENGTH + 1;

    /** Encoded length with a model hash. */
    public static final int LENGTH_WITH_MODEL = LENGTH_WITHOUT_MODEL + Hash.LENGTH;

    public Seal {
      Objects.requireNonNull(sealer, "sealer");
      Objects.requireNonNull(signature, "signature");
      Objects.requireNonNull(modelHash, "modelHash");
    }

    /**
     * Signs a header.
     *
     * @param unsealed the header (its seal is ignored)
     * @param key the signer's key
     * @param modelHash the global model hash to record, or empty
     * @return the seal
     */
    public static Seal sign(BlockHeader unsealed, KeyPair key, Optional<Hash> modelHash) {
      return new Seal(
          key.publicKey(),
          key.sign(message(unsealed.sealingHash(), key.publicKey(), modelHash)),
          modelHash);
    }

    /**
     * Whether the signature verifies for {@code header}'s sealing hash and this model hash.
     *
     * @param header the sealed header
     * @return {@code true} if it does
     */
    public boolean verifies(BlockHeader header) {
      return sealer.verify(message(header.sealingHash(), sealer, modelHash), signature);
    }

    /**
     * The canonical encoding.
     *
     * @return the seal bytes
     */
    public byte[] encode() {
      ByteBuffer b =
          ByteBuffer.allocate(modelHash.isPresent() ? LENGTH_WITH_MODEL : LENGTH_WITHOUT_MODEL)
              .put((byte) 1)
              .put(sealer.bytes())
              .put(signature.bytes())
              .put((byte) (modelHash.isPresent() ? 1 : 0));
      modelHash.ifPresent(h -> b.put(h.bytes()));
      return b.array();
    }

    /**
     * Decodes a seal strictly.
     *
     * @param bytes the seal bytes
     * @return the seal
     * @throws IllegalArgumentException if the bytes are not exactly one well-formed seal
     */
    public static Seal decode(byte[] bytes) {
      if (bytes.length != LENGTH_WITHOUT_MODEL && bytes.length != LENGTH_WITH_MODEL) {
        throw new IllegalArgumentException(
            "PoSOC seal has %d bytes, must be %d or %d"
                .formatted(bytes.length, LENGTH_WITHOUT_MODEL, LENGTH_WITH_MODEL));
      }
      if (bytes[0] != 1) {
        throw new IllegalArgumentException("seal version %d != 1".formatted(bytes[0]));
      }
      ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
      byte[] pk = new byte[PublicKey.LENGTH];
      in.get(pk);
      byte[] sig = new byte[Signature.LENGTH];
      in.get(sig);
      byte flag = in.get();
      int expectedLength = flag == 1 ? LENGTH_WITH_MODEL : LENGTH_WITHOUT_MODEL;
      if ((flag != 0 && flag != 1) || bytes.length != expectedLength) {
        throw new IllegalArgumentException(
            "model flag %d with %d seal bytes: must be 0 with %d or 1 with %d"
                .formatted(flag, bytes.length, LENGTH_WITHOUT_MODEL, LENGTH_WITH_MODEL));
      }
      Optional<Hash> model = Optional.empty();
      if (flag == 1) {
        byte[] h = new byte[Hash.LENGTH];
        in.get(h);
        model = Optional.of(Hash.of(h));
      }
      return new Seal(PublicKey.of(pk), Signature.of(sig), model);
    }

    private static byte[] message(Hash sealingHash, PublicKey sealer, Optional<Hash> modelHash) {
      ByteBuffer b =
          ByteBuffer.allocate(
                  DOMAIN.length
                      + Hash.LENGTH
                      + 1
                      + PublicKey.LENGTH
                      + 1
                      + (modelHash.isPresent() ? Hash.LENGTH : 0))
              .put(DOMAIN)
              .put(sealingHash.bytes())
              .put((byte) 1)
              .put(sealer.bytes())
              .put((byte) (modelHash.isPresent() ? 1 : 0));
      modelHash.ifPresent(h -> b.put(h.bytes()));
      return b.array();
    }
  }

  /** Builds a {@link ProofOfStateOfCharge}. Not thread-safe. */
  public static final class Builder {
    private StateOfChargeSource source;
    private long blocksPerPeriod = 24;
    private long timeoutMillis = 2_000;
    private double beta = 0.1;
    private KeyPair treasury;

    private Builder() {}

    /**
     * Where daily scores, profits and local models come from (required).
     *
     * @param evs the source; every node must use one that gives the same answers
     * @return this builder
     */
    public Builder source(StateOfChargeSource evs) {
      this.source = Objects.requireNonNull(evs, "source");
      return this;
    }

    /**
     * Blocks per period, each period having one mLAG (default 24, e.g. one block per hour of a
     * day).
     *
     * @param blocks 1 or more
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder blocksPerPeriod(long blocks) {
      if (blocks < 1) {
        throw new IllegalArgumentException("blocksPerPeriod %d must be >= 1".formatted(blocks));
      }
      this.blocksPerPeriod = blocks;
      return this;
    }

    /**
     * How long the EV of each further rank waits before it takes over (default 2,000 ms). Set it
     * above the network's delay so that ranks do not race.
     *
     * @param timeout the timeout, at least 1 ms
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
     * The share of its profit each EV pays the mLAG, Eq. 4.20's {@code β} (default 0.1;
     * Moniruzzaman leaves it to the EVs' agreement).
     *
     * @param share {@code 0 < β ≤ 1}
     * @return this builder
     * @throws IllegalArgumentException if outside (0, 1]
     */
    public Builder beta(double share) {
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException("beta %s must be in (0, 1]".formatted(share));
      }
      this.beta = share;
      return this;
    }

    /**
     * The key that signs the profit releases (default none: {@link
     * ProofOfStateOfCharge#rewardsAndPenalties} is empty and nothing is checked). It must be an
     * authority of the chain, every node must be given it, and it should send nothing else, since
     * the settlement uses its consecutive nonces.
     *
     * @param key the treasury key
     * @return this builder
     */
    public Builder treasury(KeyPair key) {
      this.treasury = Objects.requireNonNull(key, "treasury");
      return this;
    }

    /**
     * Builds the protocol.
     *
     * @return the protocol
     * @throws IllegalStateException if no source was set
     */
    public ProofOfStateOfCharge build() {
      if (source == null) {
        throw new IllegalStateException("source not set");
      }
      return new ProofOfStateOfCharge(this);
    }
  }
}
