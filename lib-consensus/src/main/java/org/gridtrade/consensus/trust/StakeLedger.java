package org.gridtrade.consensus.trust;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.spi.RatingDecoder;

/**
 * Trust stake's stake ledger: the protocol state folded from the chain's blocks (deposits,
 * confiscations, validator trust, committees, orders, attestations, trust coins earned), cached by
 * block hash, and the rules read from it: committee selection, ranks and the slot rules.
 * Thread-safe (the cache is guarded; a folded state is never changed).
 */
final class StakeLedger {
  private static final int CACHE = 256;

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
  final int attestationEpochs;
  private final List<RatingDecoder> decoders;
  private final Map<Hash, State> cache =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, State> eldest) {
          return size() > CACHE;
        }
      };

  StakeLedger(
      List<Address> initialValidators,
      int epochLength,
      int committeeSize,
      int selectionBlock,
      long minDepositMicro,
      double minTrust,
      long timeoutMillis,
      TrustParameters params,
      KeyPair treasury,
      long trustCoinMicro,
      int attestationEpochs,
      List<RatingDecoder> decoders) {
    this.decoders = decoders;
    this.initialValidators = initialValidators;
    this.epochLength = epochLength;
    this.committeeSize = committeeSize;
    this.selectionBlock = selectionBlock;
    this.minDepositMicro = minDepositMicro;
    this.minTrust = minTrust;
    this.timeoutMillis = timeoutMillis;
    this.params = params;
    this.treasury = treasury;
    this.trustCoinMicro = trustCoinMicro;
    this.attestationEpochs = attestationEpochs;
  }

  private static final Comparator<TrustStake.Candidate> RANK =
      Comparator.comparingLong(TrustStake.Candidate::depositMicro)
          .reversed()
          .thenComparing(
              Comparator.comparingDouble(TrustStake.Candidate::validatorTrust).reversed())
          .thenComparing(TrustStake.Candidate::address);

  /** Folded protocol state after one block. Mutable only while being built. */
  static final class State {
    TrustIndex index;
    HashMap<Address, Long> deposits = new HashMap<>();
    HashSet<Address> confiscated = new HashSet<>();
    HashMap<Address, Double> validatorTrust = new HashMap<>();
    HashMap<Address, Long> proposed = new HashMap<>();
    long epoch;
    List<Address> committee;
    List<Address> order;
    List<Address> next;
    Address earner;
    long earnedMicro;

    /** The committees of the epochs whose blocks may still be attested, by epoch. */
    HashMap<Long, List<Address>> committees = new HashMap<>();

    /** Who attested an invalid block of an offender in an epoch; the sets are immutable. */
    HashMap<Offence, Set<Address>> attestations = new HashMap<>();

    State copy() {
      State s = new State();
      s.index = index.copy();
      s.deposits = new HashMap<>(deposits);
      s.confiscated = new HashSet<>(confiscated);
      s.validatorTrust = new HashMap<>(validatorTrust);
      s.proposed = new HashMap<>(proposed);
      s.epoch = epoch;
      s.committee = committee;
      s.order = order;
      s.next = next;
      s.earner = earner;
      s.earnedMicro = earnedMicro;
      s.committees = new HashMap<>(committees);
      s.attestations = new HashMap<>(attestations);
      return s;
    }

    List<Address> liveOrder() {
      List<Address> o = new ArrayList<>(order.size());
      for (Address a : order) {
        if (!confiscated.contains(a)) {
          o.add(a);
        }
      }
      return o;
    }
  }

  /** An offender and the epoch of the invalid block attested against it. */
  record Offence(Address offender, long epoch) {}

  /**
   * Attestations that confiscate an offender's deposit, from a committee of {@code n} members (the
   * offender among them): more than 2/3 of the other {@code m = n − 1}.
   */
  static int needed(int n) {
    int m = n - 1;
    return m < 1 ? Integer.MAX_VALUE : 2 * m / 3 + 1;
  }

  long epochStart(long activation, long epoch) {
    return activation + epoch * epochLength;
  }

  State state(ChainView chain, BlockHeader header) {
    synchronized (cache) {
      State s = cache.get(header.hash());
      if (s != null) {
        return s;
      }
    }
    long activation = chain.activationHeight();
    if (header.height() < activation - 1) {
      throw new IllegalStateException(
          "height %d is before the activation %d".formatted(header.height(), activation));
    }
    Deque<Long> path = new ArrayDeque<>();
    State base = null;
    long h = header.height();
    Hash expect = header.hash();
    while (true) {
      BlockHeader c =
          chain
              .header(h)
              .orElseThrow(() -> new IllegalStateException("no canonical header at " + header));
      if (!c.hash().equals(expect)) {
        throw new IllegalStateException(
            "header %d %s is not on the canonical chain".formatted(h, expect));
      }
      synchronized (cache) {
        base = cache.get(c.hash());
      }
      if (base != null || h == activation - 1) {
        break;
      }
      path.push(h);
      expect = c.previousHash();
      h--;
    }
    State s;
    if (base == null) {
      s = new State();
      s.index = new TrustIndex(params, decoders);
      for (long x = 1; x < activation; x++) {
        foldLedger(s, block(chain, x));
      }
      BlockHeader a = chain.header(activation - 1).orElseThrow();
      s.epoch = 0;
      s.committee = initialValidators;
      s.order = TrustStake.signingOrder(initialValidators, a.hash());
      s.next = null;
      s.committees.put(0L, initialValidators);
      synchronized (cache) {
        cache.put(a.hash(), s);
      }
      if (path.isEmpty()) {
        return s;
      }
      s = s.copy();
    } else {
      s = base.copy();
    }
    while (!path.isEmpty()) {
      Block b = block(chain, path.pop());
      fold(s, b, activation);
    }
    synchronized (cache) {
      cache.put(header.hash(), s);
    }
    return s;
  }

  static Block block(ChainView chain, long height) {
    return chain
        .block(height)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "trust-stake needs the chain's blocks (ChainView.block) at height " + height));
  }

  void fold(State s, Block b, long activation) {
    BlockHeader hd = b.header();
    // Evidence in the seal (checked by verifySeal before the block was appended).
    TrustSeal.Parsed evidence;
    try {
      TrustSeal seal = TrustSeal.decode(hd.seal());
      evidence = TrustSeal.parseEvidence(ByteBuffer.wrap(seal.evidence()), seal.version());
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      throw new IllegalStateException("canonical block %d has a bad seal".formatted(hd.height()));
    }
    Optional<Address> confiscated = confiscatedBy(s, evidence, hd.proposer(), activation);
    if (confiscated.isPresent()) {
      confiscate(s, confiscated.get());
    } else if (evidence.kind() == TrustSeal.ATTESTATION) {
      Offence o = offence(evidence.attested(), activation);
      Set<Address> by = new HashSet<>(s.attestations.getOrDefault(o, Set.of()));
      by.add(hd.proposer());
      s.attestations.put(o, Set.copyOf(by));
    }
    // Alg. 4 for the proposer, against the other committee members.
    Address v = hd.proposer();
    long coins = 0;
    for (Transaction tx : b.transactions()) {
      if (tx.body().payload() instanceof Payload.EnergyTrade t) {
        coins = Math.addExact(coins, t.paymentMicro());
      }
    }
    List<Double> others = new ArrayList<>();
    for (Address i : s.committee) {
      if (!i.equals(v)) {
        others.add(s.validatorTrust.getOrDefault(i, params.baseValidatorTrust()));
      }
    }
    TrustIndex.Trader t = s.index.trader(v);
    double beta = t == null ? 0 : params.beta(hd.timestamp() - t.registeredAt());
    double tv =
        TrustScores.validatorBlockTrust(
            beta,
            params.coins(coins),
            b.transactions().size(),
            others.stream().mapToDouble(Double::doubleValue).toArray());
    long pb = s.proposed.getOrDefault(v, 0L);
    s.validatorTrust.put(
        v,
        TrustScores.validatorTrust(
            s.validatorTrust.getOrDefault(v, params.baseValidatorTrust()), pb, tv));
    s.proposed.put(v, pb + 1);
    foldLedger(s, b);
    earn(s, b, tv);
    long k = hd.height() - epochStart(activation, s.epoch);
    if (k == selectionBlock - 1) {
      s.next = selectCommittee(candidates(s), s.committee, s.confiscated);
    }
    if (k == epochLength - 1) {
      s.epoch++;
      s.committee = s.next == null ? s.committee : s.next;
      s.order = TrustStake.signingOrder(s.committee, hd.hash());
      s.next = null;
      long oldest = s.epoch - attestationEpochs + 1;
      s.committees.put(s.epoch, s.committee);
      s.committees.keySet().removeIf(e -> e < oldest);
      s.attestations.keySet().removeIf(o -> o.epoch() < oldest);
    }
  }

  /**
   * Whom the (verified) evidence of a block sealed by {@code sealer} on state {@code s}
   * confiscates: the offender of kinds 1–3; for an attestation (kind 4), the offender if this
   * attestation completes the {@link #needed} count.
   */
  Optional<Address> confiscatedBy(State s, TrustSeal.Parsed e, Address sealer, long activation) {
    if (e.kind() == 0) {
      return Optional.empty();
    }
    if (e.kind() != TrustSeal.ATTESTATION) {
      return Optional.of(e.headers().get(0).proposer());
    }
    Offence o = offence(e.attested(), activation);
    List<Address> committee = s.committees.get(o.epoch());
    Set<Address> by = s.attestations.getOrDefault(o, Set.of());
    int count = by.size() + (by.contains(sealer) ? 0 : 1);
    return committee != null && count >= needed(committee.size())
        ? Optional.of(o.offender())
        : Optional.empty();
  }

  Offence offence(TrustSeal.Attested a, long activation) {
    return new Offence(a.proposer(), (a.height() - activation) / epochLength);
  }

  /**
   * Alg. 3 for block {@code b} (already folded into {@code s}): what its proposer earns, paid by
   * the next block. {@code tf_i} is the fee of the block's i-th {@link Payload.EnergyTrade}, {@code
   * ts_i} its buyer's trader trust after the block, {@code mt_i} its payment (both in {@link
   * TrustParameters#coins} units), {@code tv_b} the block's Alg. 4 value.
   */
  void earn(State s, Block b, double tv) {
    s.earner = null;
    s.earnedMicro = 0;
    Address v = b.header().proposer();
    if (s.confiscated.contains(v) || !earns(b)) {
      return;
    }
    List<TrustScores.BlockTrade> trades = new ArrayList<>();
    for (Transaction tx : b.transactions()) {
      if (tx.body().payload() instanceof Payload.EnergyTrade t) {
        trades.add(
            new TrustScores.BlockTrade(
                params.coins(tx.body().fee()),
                s.index.trust(t.buyer()),
                params.coins(t.paymentMicro())));
      }
    }
    double rho = TrustScores.blockTrustCoins(trades, Math.min(5, tv));
    double micro = rho * trustCoinMicro;
    if (!(micro < Long.MAX_VALUE)) {
      throw new IllegalStateException(
          "block %d earns %s trust coins, more than a long holds in micro-coins"
              .formatted(b.header().height(), rho));
    }
    s.earner = v;
    s.earnedMicro = Math.round(micro);
  }

  /**
   * Whether a block earns trust coins: with a treasury, not if it carries nothing but the
   * treasury's transactions (else every block would owe the next a reward and the chain would never
   * fall idle).
   */
  boolean earns(Block b) {
    if (treasury == null) {
      return true;
    }
    for (Transaction tx : b.transactions()) {
      if (!tx.sender().equals(treasury.address())) {
        return true;
      }
    }
    return false;
  }

  static void confiscate(State s, Address offender) {
    s.confiscated.add(offender);
    s.deposits.put(offender, 0L);
    s.attestations.keySet().removeIf(o -> o.offender().equals(offender));
  }

  static void foldLedger(State s, Block b) {
    s.index.fold(b);
    for (Transaction tx : b.transactions()) {
      if (tx.body().payload() instanceof Payload.Transfer tr
          && tr.to().equals(TrustStake.BURN_ADDRESS)
          && !s.confiscated.contains(tx.sender())) {
        s.deposits.merge(tx.sender(), tr.amount(), Math::addExact);
      }
    }
  }

  List<TrustStake.Candidate> candidates(State s) {
    List<TrustStake.Candidate> out = new ArrayList<>(s.deposits.size());
    for (Map.Entry<Address, Long> e : s.deposits.entrySet()) {
      out.add(
          new TrustStake.Candidate(
              e.getKey(),
              e.getValue(),
              s.index.trust(e.getKey()),
              s.validatorTrust.getOrDefault(e.getKey(), params.baseValidatorTrust())));
    }
    return out;
  }

  Optional<Integer> rank(State s, long activation, long height, Address proposer) {
    List<Address> order = s.liveOrder();
    int i = order.indexOf(proposer);
    if (i < 0) {
      return Optional.empty();
    }
    int n = order.size();
    int k = (int) ((height - epochStart(activation, s.epoch)) % n);
    return Optional.of(Math.floorMod(i - k, n));
  }

  /** Why {@code header} on canonical {@code parent} breaks the slot rules, if it does. */
  Optional<String> slotProblem(ChainView chain, BlockHeader header, BlockHeader parent) {
    State s = state(chain, parent);
    Optional<Integer> r = rank(s, chain.activationHeight(), header.height(), header.proposer());
    if (r.isEmpty()) {
      return Optional.of(
          "%s is not in the committee of epoch %d at height %d"
              .formatted(header.proposer(), s.epoch, header.height()));
    }
    long gap = header.timestamp() - parent.timestamp();
    long due = r.get() * timeoutMillis;
    if (gap < due) {
      return Optional.of(
          "block %d of rank %d is %d ms after its parent, must be >= %d ms (rank × timeout)"
              .formatted(header.height(), r.get(), gap, due));
    }
    return Optional.empty();
  }

  /**
   * The next epoch's committee: the qualifying candidates (deposit at least {@link
   * TrustStake.Builder#minDepositMicro}, trust at least {@link TrustStake.Builder#minTrust}, not in
   * {@code confiscated}) that are not in {@code current}, ranked by deposit, then validator trust,
   * then address, the first {@link TrustStake.Builder#committeeSize}; places left are filled by the
   * best qualifying members of {@code current}; if none qualifies at all, {@code current} minus
   * {@code confiscated}.
   *
   * @param pool every candidate (one entry per address)
   * @param current the current epoch's committee
   * @param confiscated accounts whose deposit was confiscated
   * @return the committee, in rank order
   * @throws IllegalArgumentException if {@code pool} lists an address twice
   */
  List<Address> selectCommittee(
      Collection<TrustStake.Candidate> pool,
      Collection<Address> current,
      Set<Address> confiscated) {
    Set<Address> cur = new HashSet<>(current);
    Set<Address> seen = new HashSet<>();
    List<TrustStake.Candidate> rest = new ArrayList<>();
    List<TrustStake.Candidate> again = new ArrayList<>();
    for (TrustStake.Candidate c : pool) {
      if (!seen.add(c.address())) {
        throw new IllegalArgumentException("pool lists %s twice".formatted(c.address()));
      }
      if (c.depositMicro() < minDepositMicro
          || c.depositMicro() == 0
          || c.trust() < minTrust
          || confiscated.contains(c.address())) {
        continue;
      }
      (cur.contains(c.address()) ? again : rest).add(c);
    }
    rest.sort(RANK);
    again.sort(RANK);
    List<Address> out = new ArrayList<>(committeeSize);
    for (TrustStake.Candidate c : rest) {
      if (out.size() == committeeSize) {
        break;
      }
      out.add(c.address());
    }
    for (TrustStake.Candidate c : again) {
      if (out.size() == committeeSize) {
        break;
      }
      out.add(c.address());
    }
    if (out.isEmpty()) {
      for (Address a : current) {
        if (!confiscated.contains(a)) {
          out.add(a);
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * The protocol state after a canonical block.
   *
   * @param chain the canonical chain, with blocks ({@link ChainView#block})
   * @param header a canonical header at or after the activation height − 1
   * @return the snapshot
   * @throws IllegalStateException if the header is not canonical or the view has no blocks
   */
  TrustStake.Snapshot snapshot(ChainView chain, BlockHeader header) {
    State s = state(chain, header);
    return new TrustStake.Snapshot(
        header.height(),
        s.epoch,
        s.committee,
        s.liveOrder(),
        s.next == null ? List.of() : s.next,
        s.deposits,
        s.confiscated,
        s.validatorTrust,
        s.index.copy(),
        s.attestations.entrySet().stream()
            .map(
                e ->
                    new TrustStake.Attestation(
                        e.getKey().offender(),
                        e.getKey().epoch(),
                        e.getValue(),
                        needed(s.committees.get(e.getKey().epoch()).size())))
            .sorted(
                Comparator.comparing(TrustStake.Attestation::offender)
                    .thenComparingLong(TrustStake.Attestation::epoch))
            .toList());
  }
}
