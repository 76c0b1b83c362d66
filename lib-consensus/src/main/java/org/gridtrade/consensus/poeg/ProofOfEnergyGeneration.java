package org.gridtrade.consensus.poeg;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.gridtrade.consensus.internal.WeightedDraw;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.consensus.spi.EnergyProofSource;
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
 * Proof of Energy Generation (Moniruzzaman Ch. 3), with Moniruzzaman's winner selection and penalty
 * (Eq. 3.16, Eq. 3.24); see docs/consensus.md, "Proof of Energy Generation".
 *
 * <ul>
 *   <li><b>Draw</b>: for the block at height {@code h} on parent {@code P}, the candidates of
 *       {@link EnergyProofSource#candidates(long) source.candidates(h)} with a positive proof score
 *       are sorted by id and sampled without replacement, each draw picking coalition {@code S}
 *       with probability {@code PS_S / Σ PS} over the coalitions not yet drawn. Draw {@code k} uses
 *       {@code u_k = first 53 bits of SHA-256("GridTrade/poeg/draw" ‖ hash(P) ‖ k) / 2^53}. The
 *       result is the {@link #drawOrder re-draw order}; the coalition's signer is its member with
 *       the highest score (ties: lowest address).
 *   <li><b>Schedule</b>: the signer of rank {@code r} may propose after {@code r ×} {@link
 *       Builder#timeout}; rank 0 is in turn. A block's fork-choice weight is {@code candidates −
 *       r}, so a lower rank wins among competing blocks. A block of rank {@code r} must be at least
 *       {@code r × timeout} later than its parent.
 *   <li><b>Penalty</b> (Eq. 3.24): a block of rank {@code r} proves that the signers of ranks
 *       {@code 0..r−1} did not propose a valid block in time (refused, were offline, or proposed an
 *       invalid block, which every node rejects). Each of them loses up to {@link
 *       Builder#slashAmount} of its locked stake (a {@link Payload.Slash} citing {@link
 *       #refusalEvidence}) and its coalition gets no reward for this height.
 *   <li><b>Reward</b>: the block's coalition receives {@link Builder#blockReward} ({@code M_r}),
 *       split among members in proportion to their reward weights (e.g. Shapley values); rounding
 *       remainders go to the signer. {@link #settlement} lists these payloads; with a {@link
 *       Builder#treasury treasury} key (an authority of the chain) {@link #rewardsAndPenalties}
 *       signs them as the block's first transactions and {@link #checkBlock} requires exactly them.
 * </ul>
 *
 * <p><b>Seal</b> ({@link Seal}): version {@code 0x01}, the signer's Ed25519 public key (32 bytes),
 * its signature (64) over {@code "GridTrade/poeg/v1" ‖ sealingHash ‖ version ‖ public key}. The
 * header's proposer must be the key's address.
 *
 * <p><b>Grinding limitation</b>: the draw is seeded by the parent hash, which the parent's proposer
 * fixes. It can try different block contents or timestamps and publish the one whose hash draws a
 * favoured coalition for the next height; each try costs one hash, so the bias is limited only by
 * how long it may delay its block. The draw of a single height stays proportional to proof score
 * when proposers do not grind; a verifiable random function or a commit-reveal beacon would remove
 * the bias and is not done yet.
 *
 * <p><b>Minimum stake</b> ({@link Builder#minStake}, default 0: none). Locked stake is read from
 * the ledger ({@link org.gridtrade.ledger.Account#stake()}, locked with {@link Payload.Stake}) in
 * the state after the parent. A drawn coalition whose signer has less than the minimum is skipped:
 * the {@link #drawOrder(Hash, long, LedgerState) eligible order} is the draw order without those
 * coalitions, ranks renumbered, so the next coalition takes the skipped one's place without waiting
 * a timeout; a skipped signer is neither eligible nor slashed as a refuser. The random draw itself
 * does not depend on state. Proposers and verifiers agree because both compute the eligible order
 * from the same parent state: the engine asks {@link #eligibility(ChainView, BlockHeader,
 * LedgerState, Address)}, {@link #verifySeal} rejects a block whose signer is below the minimum or
 * is not as late as its eligible rank requires, and {@link #settlement} slashes only the eligible
 * signers ranked before the proposer. The state-free {@link #eligibility(ChainView, BlockHeader,
 * Address)} of the SPI cannot see stakes: it answers with the unfiltered rank (an upper bound on
 * the delay) and may call eligible a signer that {@link #verifySeal} will refuse. A signer without
 * stake is not slashed (there is nothing to take). Thread-safe if the source is.
 */
public final class ProofOfEnergyGeneration implements ConsensusProtocol {
  private static final byte[] DOMAIN = "GridTrade/poeg/v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DRAW = "GridTrade/poeg/draw".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] REFUSAL =
      "GridTrade/poeg/refusal".getBytes(StandardCharsets.US_ASCII);

  private final EnergyProofSource source;
  private final long timeoutMillis;
  private final long blockReward;
  private final long slashAmount;
  private final KeyPair treasury;
  private final long minStake;

  private ProofOfEnergyGeneration(Builder b) {
    this.source = b.source;
    this.timeoutMillis = b.timeoutMillis;
    this.blockReward = b.blockReward;
    this.slashAmount = b.slashAmount;
    this.treasury = b.treasury;
    this.minStake = b.minStake;
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
    return "poeg";
  }

  /**
   * The re-draw timeout: how much longer the signer of each further rank waits.
   *
   * @return milliseconds, more than 0
   */
  public long timeoutMillis() {
    return timeoutMillis;
  }

  /**
   * One entry of the draw order for a height.
   *
   * @param rank 0 for the first draw, 1 for the re-draw after the first coalition refused, and so
   *     on
   * @param coalition the drawn coalition
   */
  public record Draw(int rank, EnergyProofSource.Candidate coalition) {
    public Draw {
      if (rank < 0) {
        throw new IllegalArgumentException("rank %d must be >= 0".formatted(rank));
      }
      Objects.requireNonNull(coalition, "coalition");
    }

    /**
     * The member who signs for the coalition.
     *
     * @return its address
     */
    public Address signer() {
      return coalition.signer();
    }
  }

  /**
   * The draw order for the block at {@code height} on a parent with hash {@code parentHash}: the
   * first draw, then the re-draws from the remaining coalitions, until every coalition with a
   * positive proof score is drawn.
   *
   * @param parentHash the parent block's hash (the randomness)
   * @param height the height of the block being proposed
   * @return the draws, by rank; empty if no candidate has a positive proof score
   * @throws IllegalStateException if the source lists one coalition id twice
   */
  public List<Draw> drawOrder(Hash parentHash, long height) {
    Objects.requireNonNull(parentHash, "parentHash");
    List<EnergyProofSource.Candidate> all =
        List.copyOf(Objects.requireNonNull(source.candidates(height), "candidates"));
    Set<String> ids = new HashSet<>();
    List<EnergyProofSource.Candidate> left = new ArrayList<>();
    for (EnergyProofSource.Candidate c : all) {
      if (!ids.add(c.id())) {
        throw new IllegalStateException(
            "proof source lists coalition %s twice at height %d".formatted(c.id(), height));
      }
      if (c.proofScore() > 0) {
        left.add(c);
      }
    }
    left.sort(Comparator.comparing(EnergyProofSource.Candidate::id));
    List<EnergyProofSource.Candidate> drawn =
        WeightedDraw.order(left, EnergyProofSource.Candidate::proofScore, k -> unit(parentHash, k));
    List<Draw> order = new ArrayList<>(drawn.size());
    for (EnergyProofSource.Candidate c : drawn) {
      order.add(new Draw(order.size(), c));
    }
    return List.copyOf(order);
  }

  /**
   * The eligible order for the block at {@code height}: {@link #drawOrder(Hash, long)} without the
   * coalitions whose signer's locked stake in {@code parentState} is below {@link
   * Builder#minStake}, ranks renumbered from 0. With no minimum it is the draw order.
   *
   * @param parentHash the parent block's hash (the randomness)
   * @param height the height of the block being proposed
   * @param parentState the state after the parent (stakes)
   * @return the eligible draws, by rank
   */
  public List<Draw> drawOrder(Hash parentHash, long height, LedgerState parentState) {
    Objects.requireNonNull(parentState, "parentState");
    List<Draw> all = drawOrder(parentHash, height);
    if (minStake == 0) {
      return all;
    }
    List<Draw> out = new ArrayList<>(all.size());
    for (Draw d : all) {
      if (parentState.account(d.signer()).stake() >= minStake) {
        out.add(new Draw(out.size(), d.coalition()));
      }
    }
    return List.copyOf(out);
  }

  private static double unit(Hash parentHash, int k) {
    return WeightedDraw.unit(DRAW, parentHash.bytes(), ByteBuffer.allocate(4).putInt(k).array());
  }

  private Optional<Draw> drawOf(Hash parentHash, long height, Address proposer) {
    return drawOrder(parentHash, height).stream()
        .filter(d -> d.signer().equals(proposer))
        .findFirst();
  }

  @Override
  public Optional<String> sealingProblem(
      ChainView chain, BlockHeader head, LedgerState headState, Address account) {
    long stake = headState.account(account).stake();
    if (stake < minStake) {
      return Optional.of(
          "%s has locked stake %d < minStake %d; it is drawn only after staking"
              .formatted(account, stake, minStake));
    }
    return Optional.empty();
  }

  @Override
  public Eligibility eligibility(ChainView chain, BlockHeader parent, Address proposer) {
    long h = parent.height() + 1;
    List<Draw> order = drawOrder(parent.hash(), h);
    if (order.isEmpty()) {
      return new Eligibility.Ineligible("no coalition has a positive proof score at height " + h);
    }
    for (Draw d : order) {
      if (d.signer().equals(proposer)) {
        return new Eligibility.Eligible(d.rank() * timeoutMillis, d.rank() == 0);
      }
    }
    return new Eligibility.Ineligible(
        "%s signs none of the %d drawn coalitions at height %d"
            .formatted(proposer, order.size(), h));
  }

  /**
   * Eligibility by the {@link #drawOrder(Hash, long, LedgerState) eligible order}: the signer of
   * eligible rank {@code r} may propose after {@code r × timeout}; a drawn signer below the minimum
   * stake is ineligible.
   */
  @Override
  public Eligibility eligibility(
      ChainView chain, BlockHeader parent, LedgerState parentState, Address proposer) {
    long h = parent.height() + 1;
    List<Draw> order = drawOrder(parent.hash(), h, parentState);
    for (Draw d : order) {
      if (d.signer().equals(proposer)) {
        return new Eligibility.Eligible(d.rank() * timeoutMillis, d.rank() == 0);
      }
    }
    long stake = parentState.account(proposer).stake();
    if (stake < minStake) {
      return new Eligibility.Ineligible(
          "%s has locked stake %d < minStake %d at height %d"
              .formatted(proposer, stake, minStake, h));
    }
    return eligibility(chain, parent, proposer);
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
    if (drawOf(unsealed.previousHash(), unsealed.height(), key.address()).isEmpty()) {
      throw new IllegalStateException(
          "%s signs no drawn coalition at height %d".formatted(key.address(), unsealed.height()));
    }
    return Seal.sign(unsealed, key).encode();
  }

  @Override
  public Optional<String> verifySeal(
      ChainView chain, BlockHeader header, BlockHeader parent, LedgerState parentState) {
    Optional<Address> signer = signer(header);
    if (signer.isEmpty()) {
      return Optional.of(
          "PoEG seal at height %d does not parse, verify, or match the proposer %s"
              .formatted(header.height(), header.proposer()));
    }
    Optional<Draw> d = drawOf(parent.hash(), header.height(), header.proposer());
    if (d.isEmpty()) {
      return Optional.of(
          "%s signs no drawn coalition at height %d".formatted(header.proposer(), header.height()));
    }
    if (minStake > 0) {
      long stake = parentState.account(header.proposer()).stake();
      if (stake < minStake) {
        return Optional.of(
            "signer %s of block %d has locked stake %d < minStake %d"
                .formatted(header.proposer(), header.height(), stake, minStake));
      }
      d =
          drawOrder(parent.hash(), header.height(), parentState).stream()
              .filter(x -> x.signer().equals(header.proposer()))
              .findFirst();
    }
    long gap = header.timestamp() - parent.timestamp();
    long due = d.get().rank() * timeoutMillis;
    if (gap < due) {
      return Optional.of(
          "block %d of rank %d is %d ms after its parent, must be >= %d ms (rank × timeout)"
              .formatted(header.height(), d.get().rank(), gap, due));
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
    List<Draw> order = drawOrder(header.previousHash(), header.height());
    for (Draw d : order) {
      if (d.signer().equals(header.proposer())) {
        return order.size() - d.rank();
      }
    }
    return 0;
  }

  /**
   * The hash a refusal slash cites: {@code SHA-256("GridTrade/poeg/refusal" ‖ parentHash ‖
   * offender)}.
   *
   * @param parentHash the parent of the height the offender did not seal
   * @param offender the drawn signer that did not seal
   * @return the evidence hash
   */
  public static Hash refusalEvidence(Hash parentHash, Address offender) {
    return Hash.sha256(REFUSAL, parentHash.bytes(), offender.bytes());
  }

  /**
   * The penalties and rewards a block by {@code proposer} on {@code parent} carries, in block
   * order: a {@link Payload.Slash} for each signer ranked before the proposer in the {@link
   * #drawOrder(Hash, long, LedgerState) eligible order} (rank order; {@code min(slashAmount, its
   * stake)}, none if that is 0), then a {@link Payload.Reward} for each member of the proposer's
   * coalition with a positive share of the block reward (address order).
   *
   * @param parent the parent header
   * @param parentState the state after the parent (stakes)
   * @param proposer the proposer of the new block
   * @return the payloads
   * @throws IllegalArgumentException if {@code proposer} signs no eligible drawn coalition
   */
  public List<Payload> settlement(BlockHeader parent, LedgerState parentState, Address proposer) {
    long h = parent.height() + 1;
    List<Draw> order = drawOrder(parent.hash(), h, parentState);
    Draw mine =
        order.stream()
            .filter(d -> d.signer().equals(proposer))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "proposer %s signs no drawn coalition at height %d, or is below minStake"
                            .formatted(proposer, h)));
    List<Payload> out = new ArrayList<>();
    for (Draw d : order.subList(0, mine.rank())) {
      long amount = Math.min(slashAmount, parentState.account(d.signer()).stake());
      if (amount > 0) {
        out.add(new Payload.Slash(d.signer(), amount, refusalEvidence(parent.hash(), d.signer())));
      }
    }
    if (blockReward > 0) {
      List<EnergyProofSource.Member> members = new ArrayList<>(mine.coalition().members());
      members.sort(Comparator.comparing(EnergyProofSource.Member::address));
      double weights = 0;
      for (EnergyProofSource.Member m : members) {
        weights += m.rewardWeight();
      }
      long[] shares = new long[members.size()];
      long paid = 0;
      int signerIndex = 0;
      for (int i = 0; i < members.size(); i++) {
        EnergyProofSource.Member m = members.get(i);
        if (m.address().equals(proposer)) {
          signerIndex = i;
        }
        if (weights > 0) {
          shares[i] = (long) Math.floor(blockReward * (m.rewardWeight() / weights));
          shares[i] = Math.min(shares[i], blockReward - paid);
          paid += shares[i];
        }
      }
      shares[signerIndex] += blockReward - paid;
      for (int i = 0; i < members.size(); i++) {
        if (shares[i] > 0) {
          out.add(new Payload.Reward(members.get(i).address(), shares[i]));
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * With a treasury key: {@link #settlement} signed by the treasury with consecutive nonces from
   * its nonce in {@code parentState} and fee 0. Without one: none (call {@link #settlement} and pay
   * by other means).
   */
  @Override
  public List<Transaction> rewardsAndPenalties(
      ChainView chain, BlockHeader parent, LedgerState parentState, Address proposer) {
    if (treasury == null) {
      return List.of();
    }
    long nonce = parentState.account(treasury.address()).nonce();
    List<Transaction> out = new ArrayList<>();
    for (Payload p : settlement(parent, parentState, proposer)) {
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
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    List<Transaction> txs = block.transactions();
    for (int i = 0; i < expected.size(); i++) {
      if (i >= txs.size() || !txs.get(i).id().equals(expected.get(i).id())) {
        return Optional.of(
            "block %d: transaction %d is not the prescribed %s"
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

  /**
   * A decoded PoEG seal: version {@code 0x01}, the signer's public key (32 bytes), its Ed25519
   * signature (64) over {@code "GridTrade/poeg/v1" ‖ sealingHash ‖ version ‖ public key}.
   *
   * @param sealer the signer's public key
   * @param signature the signature
   */
  public record Seal(PublicKey sealer, Signature signature) {
    /** Encoded length in bytes. */
    public static final int LENGTH = 1 + PublicKey.LENGTH + Signature.LENGTH;

    public Seal {
      Objects.requireNonNull(sealer, "sealer");
      Objects.requireNonNull(signature, "signature");
    }

    /**
     * Signs a header.
     *
     * @param unsealed the header (its seal is ignored)
     * @param key the signer's key
     * @return the seal
     */
    public static Seal sign(BlockHeader unsealed, KeyPair key) {
      return new Seal(key.publicKey(), key.sign(message(unsealed.sealingHash(), key.publicKey())));
    }

    /**
     * Whether the signature verifies for {@code header}'s sealing hash.
     *
     * @param header the sealed header
     * @return {@code true} if it does
     */
    public boolean verifies(BlockHeader header) {
      return sealer.verify(message(header.sealingHash(), sealer), signature);
    }

    /**
     * The canonical encoding.
     *
     * @return the seal bytes
     */
    public byte[] encode() {
      return ByteBuffer.allocate(LENGTH)
          .put((byte) 1)
          .put(sealer.bytes())
          .put(signature.bytes())
          .array();
    }

    /**
     * Decodes a seal strictly.
     *
     * @param bytes the seal bytes
     * @return the seal
     * @throws IllegalArgumentException if the bytes are not exactly one well-formed seal
     */
    public static Seal decode(byte[] bytes) {
      if (bytes.length != LENGTH) {
        throw new IllegalArgumentException(
            "PoEG seal has %d bytes, must be %d".formatted(bytes.length, LENGTH));
      }
      if (bytes[0] != 1) {
        throw new IllegalArgumentException("seal version %d != 1".formatted(bytes[0]));
      }
      ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
      byte[] pk = new byte[PublicKey.LENGTH];
      in.get(pk);
      byte[] sig = new byte[Signature.LENGTH];
      in.get(sig);
      return new Seal(PublicKey.of(pk), Signature.of(sig));
    }

    private static byte[] message(Hash sealingHash, PublicKey sealer) {
      return ByteBuffer.allocate(DOMAIN.length + Hash.LENGTH + 1 + PublicKey.LENGTH)
          .put(DOMAIN)
          .put(sealingHash.bytes())
          .put((byte) 1)
          .put(sealer.bytes())
          .array();
    }
  }

  /** Builds a {@link ProofOfEnergyGeneration}. Not thread-safe. */
  public static final class Builder {
    private EnergyProofSource source;
    private long timeoutMillis = 2_000;
    private long blockReward;
    private long slashAmount;
    private KeyPair treasury;
    private long minStake;

    private Builder() {}

    /**
     * The least locked stake a coalition's signer needs to be eligible (default 0: none). Drawn
     * coalitions whose signer has less in the parent state are skipped and the next one takes their
     * rank; a block signed below the minimum is invalid.
     *
     * @param microCoins the minimum, 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder minStake(long microCoins) {
      if (microCoins < 0) {
        throw new IllegalArgumentException("minStake %d must be >= 0".formatted(microCoins));
      }
      this.minStake = microCoins;
      return this;
    }

    /**
     * Where proof scores come from (required).
     *
     * @param proofs the source; every node must use one that gives the same answers
     * @return this builder
     */
    public Builder source(EnergyProofSource proofs) {
      this.source = Objects.requireNonNull(proofs, "source");
      return this;
    }

    /**
     * How long the signer of each further rank waits before it re-draws (default 2,000 ms). Set it
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
     * The mining reward {@code M_r} per block in micro-coins (default 0: no reward).
     *
     * @param microCoins the reward, 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder blockReward(long microCoins) {
      if (microCoins < 0) {
        throw new IllegalArgumentException("blockReward %d must be >= 0".formatted(microCoins));
      }
      this.blockReward = microCoins;
      return this;
    }

    /**
     * The stake a refusing signer loses per refusal, capped by its stake (default 0: no slash).
     *
     * @param microCoins the amount, 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder slashAmount(long microCoins) {
      if (microCoins < 0) {
        throw new IllegalArgumentException("slashAmount %d must be >= 0".formatted(microCoins));
      }
      this.slashAmount = microCoins;
      return this;
    }

    /**
     * The key that signs the reward and slash transactions (default none: {@link
     * ProofOfEnergyGeneration#rewardsAndPenalties} is empty). It must be an authority of the chain,
     * every node must be given it, and it should send nothing else, since the settlement uses its
     * consecutive nonces.
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
    public ProofOfEnergyGeneration build() {
      if (source == null) {
        throw new IllegalStateException("source not set");
      }
      return new ProofOfEnergyGeneration(this);
    }
  }
}
