package org.gridtrade.consensus.poa;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.gridtrade.consensus.internal.PoaSnapshot;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;

/**
 * Proof of Authority with Clique's rules (EIP-225), the engine of the private Ethereum PoA network
 * of Aggarwal Ch. 4; see docs/consensus.md, "Proof of Authority".
 *
 * <ul>
 *   <li><b>Sealers</b>: the configured set, kept sorted by address. The in-turn sealer of height
 *       {@code h} is {@code sealers[h mod N]}; it may seal at once (weight 2). Any other sealer may
 *       seal out of turn (weight 1) after {@link Builder#outOfTurnDelay} plus {@code rank ×} {@link
 *       Builder#wiggle}, where {@code rank} orders the eligible out-of-turn sealers by {@code
 *       SHA-256(parentHash ‖ address)}.
 *   <li><b>Signer limit</b>: a sealer seals at most one of any {@code floor(N/2) + 1} consecutive
 *       blocks.
 *   <li><b>Votes</b>: a sealer may carry one {@link Vote} in its seal to add or remove an account;
 *       a tally of more than half the sealers executes it. Votes made on this node are queued with
 *       {@link #propose} and put into this node's seals while they still change something.
 *   <li><b>Epochs</b>: at every height that is a multiple of the epoch length, open votes are
 *       dropped and the seal carries the sealer list (a checkpoint), which must equal the set.
 * </ul>
 *
 * <p><b>Seal</b> ({@link Seal}): version, optional vote, optional checkpoint list, the sealer's
 * Ed25519 public key, and its signature over {@code "GridTrade/poa/v1" ‖ sealingHash ‖ seal without
 * the signature}, so the vote and checkpoint are covered by the signature. The header's proposer
 * must be the key's address.
 *
 * <p><b>Determinism</b>: the sealer set of any block is rebuilt from the chain alone, by replaying
 * seals from the protocol's activation (the configured set applies on top of the header at {@link
 * ChainView#activationHeight()} − 1); snapshots are cached by block hash. The out-of-turn order is
 * derived from the parent hash. <b>Grinding limitation</b>: the parent's sealer can try different
 * contents or timestamps to pick a parent hash that ranks a favoured sealer first among the
 * out-of-turn backups. This only matters when the in-turn sealer is silent, and the signer limit
 * still caps any sealer at one of {@code floor(N/2) + 1} blocks.
 *
 * <p>Verification does not check block timing (the ledger requires only that time does not go
 * backwards); the out-of-turn delays are a local policy, as in Clique. Thread-safe.
 */
public final class ProofOfAuthority implements ConsensusProtocol {
  /** Most sealers a checkpoint seal can list within {@link BlockHeader#MAX_SEAL_BYTES}. */
  public static final int MAX_SEALERS = 198;

  /** Fork-choice weight of an in-turn block (Clique's difficulty 2). */
  public static final long IN_TURN_WEIGHT = 2;

  /** Fork-choice weight of an out-of-turn block (Clique's difficulty 1). */
  public static final long OUT_OF_TURN_WEIGHT = 1;

  private static final byte[] DOMAIN = "GridTrade/poa/v1".getBytes(StandardCharsets.US_ASCII);
  private static final int SNAPSHOT_CACHE = 1024;

  private final List<Address> initialSealers;
  private final long epochLength;
  private final long outOfTurnDelayMillis;
  private final long wiggleMillis;
  private final Map<Address, Boolean> proposals = new ConcurrentHashMap<>();
  private final Map<Hash, PoaSnapshot> snapshots =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, PoaSnapshot> eldest) {
          return size() > SNAPSHOT_CACHE;
        }
      };

  private ProofOfAuthority(Builder b) {
    this.initialSealers = List.copyOf(new TreeSet<>(b.sealers));
    this.epochLength = b.epochLength;
    this.outOfTurnDelayMillis = b.outOfTurnDelayMillis;
    this.wiggleMillis = b.wiggleMillis;
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
    return "poa";
  }

  /**
   * The configured initial sealers, sorted.
   *
   * @return an immutable list
   */
  public List<Address> initialSealers() {
    return initialSealers;
  }

  /**
   * The epoch length in blocks.
   *
   * @return the epoch length
   */
  public long epochLength() {
    return epochLength;
  }

  /**
   * Queues a vote this node puts into its seals (Clique's {@code clique.propose}): add ({@code
   * authorize = true}) or remove {@code target}. The vote is sealed only while it would change the
   * target's status, and never into a checkpoint block.
   *
   * @param target the account to add or remove
   * @param authorize {@code true} to add, {@code false} to remove
   */
  public void propose(Address target, boolean authorize) {
    proposals.put(Objects.requireNonNull(target, "target"), authorize);
  }

  /**
   * Withdraws a queued vote.
   *
   * @param target the account voted on
   */
  public void discard(Address target) {
    proposals.remove(Objects.requireNonNull(target, "target"));
  }

  /**
   * The sealer set after a block, rebuilt from the chain.
   *
   * @param chain the canonical chain containing {@code header} (or ending at its parent)
   * @param header a header governed by this protocol, or the one before its activation
   * @return the sorted sealers
   * @throws IllegalStateException if the chain cannot be replayed to {@code header}
   */
  public List<Address> sealers(ChainView chain, BlockHeader header) {
    return snapshot(chain, header).sealers();
  }

  @Override
  public Optional<String> sealingProblem(
      ChainView chain, BlockHeader head, LedgerState headState, Address account) {
    PoaSnapshot s = snapshot(chain, head);
    if (s.isSealer(account)) {
      return Optional.empty();
    }
    return Optional.of(
        "%s is not one of the %d Proof of Authority sealers at height %d (only a vote of the sealers can add it)"
            .formatted(account, s.sealers().size(), head.height()));
  }

  @Override
  public Eligibility eligibility(ChainView chain, BlockHeader parent, Address proposer) {
    PoaSnapshot s = snapshot(chain, parent);
    long h = parent.height() + 1;
    if (!s.isSealer(proposer)) {
      return new Eligibility.Ineligible("%s is not a sealer at height %d".formatted(proposer, h));
    }
    Optional<Long> recent = s.recentlySealed(proposer, h);
    if (recent.isPresent()) {
      return new Eligibility.Ineligible(
          "%s sealed block %d; the signer limit is one of %d consecutive blocks"
              .formatted(proposer, recent.get(), s.sealers().size() / 2 + 1));
    }
    if (s.inTurn(h).orElseThrow().equals(proposer)) {
      return new Eligibility.Eligible(0, true);
    }
    List<Address> backups = new ArrayList<>();
    for (Address a : s.sealers()) {
      if (!a.equals(s.inTurn(h).orElseThrow()) && s.recentlySealed(a, h).isEmpty()) {
        backups.add(a);
      }
    }
    byte[] ph = parent.hash().bytes();
    backups.sort(Comparator.comparing((Address a) -> Hash.sha256(ph, a.bytes())));
    int rank = backups.indexOf(proposer);
    return new Eligibility.Eligible(outOfTurnDelayMillis + rank * wiggleMillis, false);
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
            .filter(p -> p.hash().equals(unsealed.previousHash()))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "parent of height %d is not on the chain".formatted(unsealed.height())));
    PoaSnapshot s = snapshot(chain, parent);
    long h = unsealed.height();
    if (h % epochLength == 0) {
      return Seal.sign(unsealed, key, null, s.sealers()).encode();
    }
    Vote vote = null;
    for (Map.Entry<Address, Boolean> p : new TreeMap<>(proposals).entrySet()) {
      if (s.validVote(p.getKey(), p.getValue())) {
        vote = new Vote(p.getKey(), p.getValue());
        if (!s.hasVote(key.address(), p.getKey(), p.getValue())) {
          break;
        }
      }
    }
    return Seal.sign(unsealed, key, vote, null).encode();
  }

  @Override
  public Optional<String> verifySeal(
      ChainView chain, BlockHeader header, BlockHeader parent, LedgerState parentState) {
    Seal seal;
    try {
      seal = Seal.decode(header.seal());
    } catch (IllegalArgumentException e) {
      return Optional.of(
          "bad PoA seal at height %d: %s".formatted(header.height(), e.getMessage()));
    }
    if (!seal.verifies(header)) {
      return Optional.of("PoA seal signature does not verify at height " + header.height());
    }
    if (!seal.sealer().address().equals(header.proposer())) {
      return Optional.of(
          "seal key's address %s is not the proposer %s"
              .formatted(seal.sealer().address(), header.proposer()));
    }
    PoaSnapshot s;
    try {
      s = snapshot(chain, parent);
    } catch (IllegalStateException e) {
      return Optional.of(e.getMessage());
    }
    Optional<String> structure = checkpointRule(header.height(), seal, s);
    if (structure.isPresent()) {
      return structure;
    }
    PoaSnapshot.Result r = apply(s, header, seal);
    if (r.error() != null) {
      return Optional.of(r.error());
    }
    cache(r.snapshot());
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
    BlockHeader parent =
        chain
            .header(header.height() - 1)
            .filter(p -> p.hash().equals(header.previousHash()))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "parent of height %d is not on the chain".formatted(header.height())));
    return snapshot(chain, parent).inTurn(header.height()).orElseThrow().equals(header.proposer())
        ? IN_TURN_WEIGHT
        : OUT_OF_TURN_WEIGHT;
  }

  private Optional<String> checkpointRule(long h, Seal seal, PoaSnapshot parentSnapshot) {
    if (h % epochLength == 0) {
      if (seal.vote().isPresent()) {
        return Optional.of("checkpoint block %d carries a vote".formatted(h));
      }
      if (seal.checkpoint().isEmpty()) {
        return Optional.of("checkpoint block %d does not list the sealers".formatted(h));
      }
      if (!seal.checkpoint().get().equals(parentSnapshot.sealers())) {
        return Optional.of(
            "checkpoint block %d lists %s, the sealers are %s"
                .formatted(h, seal.checkpoint().get(), parentSnapshot.sealers()));
      }
    } else if (seal.checkpoint().isPresent()) {
      return Optional.of(
          "block %d is not a checkpoint (epoch %d) but lists sealers".formatted(h, epochLength));
    }
    return Optional.empty();
  }

  private PoaSnapshot.Result apply(PoaSnapshot s, BlockHeader header, Seal seal) {
    Vote v = seal.vote().orElse(null);
    return s.apply(
        header.height(),
        header.hash(),
        header.proposer(),
        v == null ? null : v.target(),
        v != null && v.authorize(),
        epochLength);
  }

  private void cache(PoaSnapshot s) {
    synchronized (snapshots) {
      snapshots.put(s.hash(), s);
    }
  }

  private PoaSnapshot cached(Hash h) {
    synchronized (snapshots) {
      return snapshots.get(h);
    }
  }

  private PoaSnapshot snapshot(ChainView chain, BlockHeader header) {
    Deque<BlockHeader> path = new ArrayDeque<>();
    BlockHeader cur = header;
    PoaSnapshot s;
    long base = chain.activationHeight() - 1;
    while (true) {
      s = cached(cur.hash());
      if (s != null) {
        break;
      }
      if (cur.height() == base) {
        s = PoaSnapshot.initial(cur.height(), cur.hash(), initialSealers);
        cache(s);
        break;
      }
      if (cur.height() < base) {
        throw new IllegalStateException(
            "height %d is before PoA activation at %d".formatted(cur.height(), base + 1));
      }
      path.push(cur);
      BlockHeader child = cur;
      cur =
          chain
              .header(cur.height() - 1)
              .filter(p -> p.hash().equals(child.previousHash()))
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "cannot rebuild the sealer set: the parent of block %d (%s) is not on"
                                  .formatted(child.height(), child.previousHash())
                              + " the chain"));
    }
    while (!path.isEmpty()) {
      BlockHeader h = path.pop();
      Seal seal;
      try {
        seal = Seal.decode(h.seal());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("stored block %d: %s".formatted(h.height(), e), e);
      }
      if (!seal.verifies(h) || !seal.sealer().address().equals(h.proposer())) {
        throw new IllegalStateException("stored block %d: bad PoA seal".formatted(h.height()));
      }
      PoaSnapshot.Result r = apply(s, h, seal);
      if (r.error() != null) {
        throw new IllegalStateException("stored block %d: %s".formatted(h.height(), r.error()));
      }
      s = r.snapshot();
      cache(s);
    }
    return s;
  }

  /** Drops every cached snapshot (they are rebuilt from the chain on demand). */
  public void clearCache() {
    synchronized (snapshots) {
      snapshots.clear();
    }
  }

  /**
   * A vote to add or remove a sealer.
   *
   * @param target the account voted on
   * @param authorize {@code true} to add it, {@code false} to remove it
   */
  public record Vote(Address target, boolean authorize) {
    public Vote {
      Objects.requireNonNull(target, "target");
    }
  }

  /**
   * A decoded PoA seal. Encoding (big-endian): version {@code 0x01}; vote kind (0 none, 1 add, 2
   * remove) then the target (20 bytes) if any; checkpoint flag (0 or 1) then, if 1, a {@code u16}
   * count and the sorted sealer addresses; the sealer's public key (32); its Ed25519 signature (64)
   * over {@code "GridTrade/poa/v1" ‖ sealingHash ‖ everything before the signature}.
   *
   * @param vote the vote, if any
   * @param checkpoint the sealer list of a checkpoint block, if this is one
   * @param sealer the sealer's public key
   * @param signature the signature
   */
  public record Seal(
      Optional<Vote> vote,
      Optional<List<Address>> checkpoint,
      PublicKey sealer,
      Signature signature) {
    public Seal {
      Objects.requireNonNull(vote, "vote");
      Objects.requireNonNull(checkpoint, "checkpoint");
      checkpoint = checkpoint.map(List::copyOf);
      if (checkpoint.isPresent() && checkpoint.get().size() > MAX_SEALERS) {
        throw new IllegalArgumentException(
            "checkpoint lists %d sealers > %d".formatted(checkpoint.get().size(), MAX_SEALERS));
      }
      Objects.requireNonNull(sealer, "sealer");
      Objects.requireNonNull(signature, "signature");
    }

    /**
     * Signs a header with an explicit vote and checkpoint list (the engine chooses these itself;
     * this is for tools and tests that build chains by hand).
     *
     * @param unsealed the header (its seal is ignored)
     * @param key the sealer's key
     * @param vote the vote, or null
     * @param checkpoint the checkpoint list, or null
     * @return the seal
     */
    public static Seal sign(
        BlockHeader unsealed, KeyPair key, Vote vote, Collection<Address> checkpoint) {
      Optional<List<Address>> cp =
          checkpoint == null
              ? Optional.empty()
              : Optional.of(List.copyOf(new TreeSet<>(checkpoint)));
      byte[] body = body(Optional.ofNullable(vote), cp, key.publicKey());
      Signature sig = key.sign(message(unsealed.sealingHash(), body));
      return new Seal(Optional.ofNullable(vote), cp, key.publicKey(), sig);
    }

    /**
     * Whether the signature verifies for {@code header}'s sealing hash.
     *
     * @param header the sealed header
     * @return {@code true} if it does
     */
    public boolean verifies(BlockHeader header) {
      return sealer.verify(
          message(header.sealingHash(), body(vote, checkpoint, sealer)), signature);
    }

    /**
     * The canonical encoding.
     *
     * @return the seal bytes
     */
    public byte[] encode() {
      byte[] body = body(vote, checkpoint, sealer);
      return ByteBuffer.allocate(body.length + Signature.LENGTH)
          .put(body)
          .put(signature.bytes())
          .array();
    }

    /**
     * Decodes a seal strictly (no trailing bytes, sorted distinct checkpoint list).
     *
     * @param bytes the seal bytes
     * @return the seal
     * @throws IllegalArgumentException if the bytes are not exactly one well-formed seal
     */
    public static Seal decode(byte[] bytes) {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      try {
        int version = in.get();
        if (version != 1) {
          throw new IllegalArgumentException("seal version %d != 1".formatted(version));
        }
        int kind = in.get();
        Optional<Vote> vote;
        switch (kind) {
          case 0 -> vote = Optional.empty();
          case 1, 2 -> vote = Optional.of(new Vote(address(in), kind == 1));
          default -> throw new IllegalArgumentException("vote kind %d not in 0..2".formatted(kind));
        }
        int flag = in.get();
        Optional<List<Address>> cp;
        if (flag == 0) {
          cp = Optional.empty();
        } else if (flag == 1) {
          int n = Short.toUnsignedInt(in.getShort());
          if (n > MAX_SEALERS) {
            throw new IllegalArgumentException(
                "checkpoint count %d > %d".formatted(n, MAX_SEALERS));
          }
          List<Address> list = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            Address a = address(in);
            if (!list.isEmpty() && list.get(list.size() - 1).compareTo(a) >= 0) {
              throw new IllegalArgumentException("checkpoint list not sorted and distinct");
            }
            list.add(a);
          }
          cp = Optional.of(list);
        } else {
          throw new IllegalArgumentException("checkpoint flag %d not 0 or 1".formatted(flag));
        }
        byte[] pk = new byte[PublicKey.LENGTH];
        in.get(pk);
        byte[] sig = new byte[Signature.LENGTH];
        in.get(sig);
        if (in.hasRemaining()) {
          throw new IllegalArgumentException("%d trailing bytes".formatted(in.remaining()));
        }
        return new Seal(vote, cp, PublicKey.of(pk), Signature.of(sig));
      } catch (java.nio.BufferUnderflowException e) {
        throw new IllegalArgumentException("seal of %d bytes is truncated".formatted(bytes.length));
      }
    }

    private static Address address(ByteBuffer in) {
      byte[] a = new byte[Address.LENGTH];
      in.get(a);
      return Address.ofBytes(a);
    }

    private static byte[] body(
        Optional<Vote> vote, Optional<List<Address>> checkpoint, PublicKey sealer) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(1);
      if (vote.isEmpty()) {
        out.write(0);
      } else {
        out.write(vote.get().authorize() ? 1 : 2);
        out.writeBytes(vote.get().target().bytes());
      }
      if (checkpoint.isEmpty()) {
        out.write(0);
      } else {
        out.write(1);
        int n = checkpoint.get().size();
        out.write(n >>> 8);
        out.write(n & 0xff);
        checkpoint.get().forEach(a -> out.writeBytes(a.bytes()));
      }
      out.writeBytes(sealer.bytes());
      return out.toByteArray();
    }

    private static byte[] message(Hash sealingHash, byte[] body) {
      return ByteBuffer.allocate(DOMAIN.length + Hash.LENGTH + body.length)
          .put(DOMAIN)
          .put(sealingHash.bytes())
          .put(body)
          .array();
    }
  }

  /** Builds a {@link ProofOfAuthority}. Not thread-safe. */
  public static final class Builder {
    private final List<Address> sealers = new ArrayList<>();
    private long epochLength = 30_000;
    private long outOfTurnDelayMillis = 1_000;
    private long wiggleMillis = 500;

    private Builder() {}

    /**
     * The initial sealers (required, 1 to {@value #MAX_SEALERS}, distinct).
     *
     * @param initial the sealers' addresses
     * @return this builder
     * @throws IllegalArgumentException if there are none, too many, or duplicates
     */
    public Builder sealers(Collection<Address> initial) {
      Objects.requireNonNull(initial, "sealers");
      if (initial.isEmpty() || initial.size() > MAX_SEALERS) {
        throw new IllegalArgumentException(
            "sealers count %d not in 1..%d".formatted(initial.size(), MAX_SEALERS));
      }
      if (new TreeSet<>(initial).size() != initial.size()) {
        throw new IllegalArgumentException("sealers %s contain duplicates".formatted(initial));
      }
      sealers.clear();
      sealers.addAll(initial);
      return this;
    }

    /**
     * Blocks per epoch (default 30,000, as Clique): votes reset and a checkpoint lists the sealers
     * at every multiple of it.
     *
     * @param blocks the epoch length, 1 or more
     * @return this builder
     * @throws IllegalArgumentException if {@code blocks < 1}
     */
    public Builder epochLength(long blocks) {
      if (blocks < 1) {
        throw new IllegalArgumentException("epochLength %d must be >= 1".formatted(blocks));
      }
      this.epochLength = blocks;
      return this;
    }

    /**
     * How long an out-of-turn sealer waits beyond the in-turn sealer (default 1,000 ms).
     *
     * @param delay the delay, 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder outOfTurnDelay(Duration delay) {
      long millis = Objects.requireNonNull(delay, "delay").toMillis();
      if (millis < 0) {
        throw new IllegalArgumentException("outOfTurnDelay %s must be >= 0".formatted(delay));
      }
      this.outOfTurnDelayMillis = millis;
      return this;
    }

    /**
     * Extra delay per rank among out-of-turn sealers (default 500 ms, Clique's wiggle time). Set it
     * above the network's delay so that backups do not race each other.
     *
     * @param wiggle the delay per rank, 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder wiggle(Duration wiggle) {
      long millis = Objects.requireNonNull(wiggle, "wiggle").toMillis();
      if (millis < 0) {
        throw new IllegalArgumentException("wiggle %s must be >= 0".formatted(wiggle));
      }
      this.wiggleMillis = millis;
      return this;
    }

    /**
     * Builds the protocol.
     *
     * @return the protocol
     * @throws IllegalStateException if no sealers were set
     */
    public ProofOfAuthority build() {
      if (sealers.isEmpty()) {
        throw new IllegalStateException("sealers not set");
      }
      return new ProofOfAuthority(this);
    }
  }
}
