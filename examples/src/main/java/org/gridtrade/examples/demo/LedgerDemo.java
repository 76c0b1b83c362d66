package org.gridtrade.examples.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.gridtrade.ledger.Account;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.ChainReport;
import org.gridtrade.ledger.DecodeException;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.InclusionProof;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.KeystoreException;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Mempool;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.RejectReason;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.Units;

/**
 * One simulated stretch of a community's trading, end to end on the ledger: wallets in encrypted
 * keystores, a genesis, hourly double-auction trades, meter readings and demand-response
 * settlements submitted through a mempool, one block per hour in a durable store, then the store
 * reopened from its stored state, replayed and verified, and an inclusion proof for one trade.
 *
 * <p>Deterministic: keys, trades and block times derive from the seed and a fixed start date, so
 * the same settings give the same tip hash. Only the keystore files (fresh salts) and the timings
 * differ between runs. Blocks are unsealed (any seal is accepted) until the consensus module
 * arrives.
 */
public final class LedgerDemo {
  /** The demo's first hour; block times count from here, never from the wall clock. */
  public static final Instant START = Instant.parse("2026-11-21T00:00:00Z");

  /** The demo chain's id. */
  static final int CHAIN_ID = 2026;

  /** Fee of every demo transaction, micro-coins, paid to the market operator who builds blocks. */
  static final long FEE_MICRO = 1_000;

  static final String OPERATOR = "market-operator";
  static final String SERVICE_PROVIDER = "charging-sp";
  static final String EV = "ev-01";

  private static final long HOUSEHOLD_COINS = 20_000;
  private static final long EV_COINS = 10_000;
  private static final long OPERATOR_COINS = 1_000;
  private static final long SP_COINS = 1_000;
  private static final int METER_READINGS_PER_HOUR = 3;
  private static final long MINUTE_MS = 60_000;
  private static final long HOUR_MS = 60 * MINUTE_MS;

  private static final DateTimeFormatter MARKET_HOUR =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH", Locale.ROOT).withZone(ZoneOffset.UTC);

  /**
   * What to simulate.
   *
   * @param seed drives keys, households and trades
   * @param traders households, 2 or more (half prosumers, rounded up)
   * @param hours hours to simulate, 1 or more; one block each
   * @param out directory for {@code wallets/}, {@code genesis.bin} and {@code chain.mv}; empty or
   *     absent
   */
  public record Settings(long seed, int traders, int hours, Path out) {
    public Settings {
      if (traders < 2) {
        throw new IllegalArgumentException("traders %d must be >= 2".formatted(traders));
      }
      if (hours < 1) {
        throw new IllegalArgumentException("hours %d must be >= 1".formatted(hours));
      }
      Objects.requireNonNull(out, "out");
    }
  }

  /**
   * The inclusion proof of one trade, checked against its block header's transactions root.
   *
   * @param height the block
   * @param index the transaction's index in the block
   * @param blockTransactions transactions in the block (the Merkle tree's size)
   * @param txId the transaction id
   * @param seller the seller's wallet name
   * @param buyer the buyer's wallet name
   * @param energyWh energy traded
   * @param priceMicroPerKWh the clearing price
   * @param market the market reference
   * @param proof the proof
   * @param transactionsRoot the root in the block header
   * @param verified {@code proof.verifyTransaction(tx.encode(), header)}: the block header's
   *     transaction count and root
   * @param tamperedRejected whether the same proof rejects the trade with one byte changed
   */
  public record TradeProof(
      long height,
      int index,
      int blockTransactions,
      Hash txId,
      String seller,
      String buyer,
      long energyWh,
      long priceMicroPerKWh,
      String market,
      InclusionProof proof,
      Hash transactionsRoot,
      boolean verified,
      boolean tamperedRejected) {}

  /**
   * What the demo did and found.
   *
   * @param settings the settings
   * @param prosumers households that sell (and sometimes buy)
   * @param consumers households that only buy
   * @param walletDir where the keystores are
   * @param wallets keystores written
   * @param keystorePassword the demo password every keystore uses
   * @param keystoreParams the scrypt parameters
   * @param keystoreRoundTrip whether the operator key read back from its keystore matches
   * @param operator the market operator's address (authority, block proposer)
   * @param store the durable store file
   * @param blocks blocks after genesis
   * @param transactions transactions in them
   * @param transactionsByType per payload type, e.g. {@code EnergyTrade}
   * @param energyTradedWh energy in all trades
   * @param tradeValueMicro payments in all trades
   * @param feesMicro fees paid to the operator
   * @param refused submissions the mempool refused, by reason
   * @param deliberatelyBad how many submissions the demo sent knowing they are bad
   * @param leftOut selected transactions a block left out, by reason
   * @param storeSizeBytes the store's size after reopening
   * @param reopenMillis time to reopen the store (reading its stored state, without a replay)
   * @param verification the report of {@link Ledger#verify()} on the reopened chain
   * @param supplyBefore total supply at genesis, micro-coins
   * @param supplyAfter total supply after the last block, micro-coins
   * @param proof the proof of one trade, if any trade cleared
   * @param elapsedMillis the whole run
   */
  public record Report(
      Settings settings,
      int prosumers,
      int consumers,
      Path walletDir,
      int wallets,
      String keystorePassword,
      Keystore.Params keystoreParams,
      boolean keystoreRoundTrip,
      Address operator,
      Path store,
      long blocks,
      long transactions,
      Map<String, Long> transactionsByType,
      long energyTradedWh,
      long tradeValueMicro,
      long feesMicro,
      Map<RejectReason, Long> refused,
      int deliberatelyBad,
      Map<RejectReason, Long> leftOut,
      long storeSizeBytes,
      long reopenMillis,
      ChainReport verification,
      long supplyBefore,
      long supplyAfter,
      Optional<TradeProof> proof,
      long elapsedMillis) {

    /**
     * Whether the reopened chain verified and the proof (if any) checked out.
     *
     * @return the verdict
     */
    public boolean verified() {
      return verification.valid() && proof.map(TradeProof::verified).orElse(true);
    }

    public long refusedTotal() {
      return refused.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final Settings settings;
  private final Map<String, KeyPair> wallets = new LinkedHashMap<>();
  private final Map<Address, String> names = new HashMap<>();
  private final Map<Address, KeyPair> keys = new HashMap<>();
  private final Map<Address, Long> nextNonce = new HashMap<>();
  private final Map<RejectReason, Long> refused = new EnumMap<>(RejectReason.class);
  private final Map<RejectReason, Long> leftOut = new EnumMap<>(RejectReason.class);
  private final Map<String, Long> byType = new LinkedHashMap<>();
  private LedgerState current;
  private int deliberatelyBad;
  private long energyWh;
  private long tradeValue;
  private long fees;

  private LedgerDemo(Settings settings) {
    this.settings = settings;
  }

  /**
   * Runs the demo.
   *
   * @param settings what to simulate
   * @return the report
   * @throws IOException if a keystore or the store cannot be written
   */
  public static Report run(Settings settings) throws IOException {
    return new LedgerDemo(settings).run();
  }

  /**
   * The keystore password of the demo wallets: derived from the seed, so anyone can open them. Fine
   * for a demo, never for real keys.
   *
   * @param seed the demo seed
   * @return the password
   */
  static String keystorePassword(long seed) {
    return "gridtrade-demo-" + seed;
  }

  private Report run() throws IOException {
    long started = System.nanoTime();
    Random random = new Random(settings.seed());
    SampleCommunity community = SampleCommunity.create(random, settings.traders());

    addWallet(OPERATOR);
    addWallet(SERVICE_PROVIDER);
    addWallet(EV);
    for (SampleCommunity.Household h : community.households()) {
      addWallet(h.name());
    }
    int prosumers =
        (int)
            community.households().stream()
                .filter(h -> h.role() == SampleCommunity.Role.PROSUMER)
                .count();

    Path walletDir = settings.out().resolve("wallets");
    Files.createDirectories(walletDir);
    char[] password = keystorePassword(settings.seed()).toCharArray();
    Keystore.Params params = Keystore.Params.fast();
    SecureRandom salts = new SecureRandom();
    for (Map.Entry<String, KeyPair> w : wallets.entrySet()) {
      Keystore.write(keystoreFile(walletDir, w.getKey()), w.getValue(), password, params, salts);
    }
    KeyPair operator;
    try {
      operator = Keystore.read(keystoreFile(walletDir, OPERATOR), password);
    } catch (KeystoreException e) {
      throw new IllegalStateException("the keystore just written does not open: " + e, e);
    }
    Arrays.fill(password, '\0');
    boolean roundTrip = operator.publicKey().equals(wallets.get(OPERATOR).publicKey());
    KeyPair sp = wallets.get(SERVICE_PROVIDER);
    KeyPair ev = wallets.get(EV);

    Map<Address, Long> allocations = new HashMap<>();
    allocations.put(operator.address(), Units.MICRO_PER_COIN * OPERATOR_COINS);
    allocations.put(sp.address(), Units.MICRO_PER_COIN * SP_COINS);
    allocations.put(ev.address(), Units.MICRO_PER_COIN * EV_COINS);
    for (SampleCommunity.Household h : community.households()) {
      allocations.put(wallets.get(h.name()).address(), Units.MICRO_PER_COIN * HOUSEHOLD_COINS);
    }
    Genesis genesis =
        new Genesis(CHAIN_ID, allocations, Set.of(operator.address()), START.toEpochMilli());

    // Every node of a chain shares its genesis file; the reopen below reads it back.
    Path genesisFile = settings.out().resolve("genesis.bin");
    Files.write(genesisFile, genesis.encode());
    Path storeFile = settings.out().resolve("chain.mv");
    Mempool mempool = Mempool.create(100_000, 256L << 20, 1_024);
    // Heights of blocks with trades, and the indexes of the trades in each.
    Map<Long, List<Integer>> tradeIndexes = new LinkedHashMap<>();
    try (Ledger ledger = Ledger.open(genesis, BlockStores.openDurable(storeFile))) {
      Transaction firstOfPreviousBlock = null;
      for (int hour = 0; hour < settings.hours(); hour++) {
        Instant hourStart = START.plus(hour, ChronoUnit.HOURS);
        long startMs = hourStart.toEpochMilli();
        long submittedAt = startMs + 10 * MINUTE_MS;
        long blockTime = startMs + HOUR_MS - 1_000;
        int hourOfDay = hourStart.atZone(ZoneOffset.UTC).getHour();
        LedgerState state = ledger.state();
        current = state;

        List<Transaction> good =
            hourTransactions(
                community, community.clear(hourOfDay), hour, hourStart, random, sp, ev);
        for (Transaction tx : good) {
          count(mempool.submit(tx, state, submittedAt));
        }
        if (hour == 0 && !good.isEmpty()) {
          submitBadOnes(mempool, state, good.get(0), submittedAt);
        }
        if (hour == 1 && firstOfPreviousBlock != null) {
          // A replay of a transaction the chain already holds.
          deliberatelyBad++;
          count(mempool.submit(firstOfPreviousBlock, state, submittedAt));
        }

        List<Transaction> candidates = mempool.select(state, Integer.MAX_VALUE);
        Ledger.Proposal proposal = ledger.propose(candidates, operator.address(), blockTime);
        BlockResult appended = ledger.append(proposal.block());
        if (appended instanceof BlockResult.Rejected r) {
          throw new IllegalStateException(
              "the ledger refused block %d that it proposed itself: %s"
                  .formatted(proposal.block().height(), r.reason()));
        }
        tally(proposal, tradeIndexes);
        List<Transaction> included = proposal.block().transactions();
        // Nothing stays pending from one hour to the next; senders start again from the chain.
        mempool.removeAll(included);
        mempool.removeAll(
            proposal.skipped().stream().map(Ledger.Proposal.Skipped::transaction).toList());
        mempool.prune(ledger.state());
        nextNonce.clear();
        firstOfPreviousBlock = included.isEmpty() ? null : included.get(0);
      }
    }

    // Reopen from the file: Ledger.open reads the stored state; verify() then replays every block.
    long reopenStart = System.nanoTime();
    Genesis shared;
    try {
      shared = Genesis.decode(Files.readAllBytes(genesisFile));
    } catch (DecodeException e) {
      throw new IOException("genesis file %s does not decode: %s".formatted(genesisFile, e), e);
    }
    try (Ledger ledger = Ledger.open(shared, BlockStores.openDurable(storeFile))) {
      long reopenMillis = Duration.ofNanos(System.nanoTime() - reopenStart).toMillis();
      ChainReport verification = ledger.verify();
      Optional<TradeProof> proof = proveOneTrade(ledger, tradeIndexes);
      return new Report(
          settings,
          prosumers,
          community.households().size() - prosumers,
          walletDir,
          wallets.size(),
          keystorePassword(settings.seed()),
          params,
          roundTrip,
          operator.address(),
          storeFile,
          ledger.height(),
          verification.transactions(),
          Collections.unmodifiableMap(new TreeMap<>(byType)),
          energyWh,
          tradeValue,
          fees,
          new EnumMap<>(refused),
          deliberatelyBad,
          new EnumMap<>(leftOut),
          ledger.storeSizeInBytes(),
          reopenMillis,
          verification,
          genesis.state().totalSupply(),
          ledger.state().totalSupply(),
          proof,
          Duration.ofNanos(System.nanoTime() - started).toMillis());
    }
  }

  // This hour's trades (sent by the buyers), a few meter readings and, overnight, the EV's
  // demand-response settlement, all signed with consecutive nonces per sender.
  private List<Transaction> hourTransactions(
      SampleCommunity community,
      SampleCommunity.Hour cleared,
      int hour,
      Instant hourStart,
      Random random,
      KeyPair sp,
      KeyPair ev) {
    long startMs = hourStart.toEpochMilli();
    int hourOfDay = hourStart.atZone(ZoneOffset.UTC).getHour();
    List<Transaction> good = new ArrayList<>();
    String market = "double-auction/" + MARKET_HOUR.format(hourStart);
    List<SampleCommunity.Household> hs = community.households();
    for (SampleCommunity.Match m : cleared.matches()) {
      KeyPair seller = wallets.get(hs.get(m.seller()).name());
      KeyPair buyer = wallets.get(hs.get(m.buyer()).name());
      good.add(
          sign(
              buyer,
              new Payload.EnergyTrade(
                  seller.address(),
                  buyer.address(),
                  m.energyWh(),
                  cleared.priceMicroPerKWh(),
                  market)));
    }
    int readings = Math.min(METER_READINGS_PER_HOUR, hs.size());
    for (int k = 0; k < readings; k++) {
      int i = (int) (((long) hour * METER_READINGS_PER_HOUR + k) % hs.size());
      long net = cleared.netWh()[i];
      good.add(
          sign(
              wallets.get(hs.get(i).name()),
              new Payload.MeterReading(
                  "meter-" + hs.get(i).name(),
                  startMs,
                  3_600,
                  Math.max(0, -net),
                  Math.max(0, net))));
    }
    if (hourOfDay >= 22 || hourOfDay < 6) {
      settlement(random, current, sp, ev, startMs).ifPresent(good::add);
    }
    return good;
  }

  // Counts what a block holds and what it left out, and notes where its trades are.
  private void tally(Ledger.Proposal proposal, Map<Long, List<Integer>> tradeIndexes) {
    List<Transaction> included = proposal.block().transactions();
    List<Integer> trades = new ArrayList<>();
    for (int i = 0; i < included.size(); i++) {
      Transaction tx = included.get(i);
      byType.merge(tx.body().payload().getClass().getSimpleName(), 1L, Long::sum);
      fees += tx.body().fee();
      if (tx.body().payload() instanceof Payload.EnergyTrade t) {
        trades.add(i);
        energyWh += t.energyWh();
        tradeValue += t.paymentMicro();
      }
    }
    if (!trades.isEmpty()) {
      tradeIndexes.put(proposal.block().height(), trades);
    }
    for (Ledger.Proposal.Skipped s : proposal.skipped()) {
      leftOut.merge(s.rejection().reason(), 1L, Long::sum);
    }
  }

  // The EV charges overnight from the service provider and settles with a signed DR token whose
  // pre_record is the EV's last payment on the chain, so each token settles once.
  private Optional<Transaction> settlement(
      Random random, LedgerState state, KeyPair sp, KeyPair ev, long hourStartMs) {
    long energy = Units.kWhToWh(3.0 + 4.4 * random.nextDouble());
    long price = Units.centsPerKWhToMicroPerKWh((1_100 + random.nextInt(401)) / 100.0);
    long payment = Units.paymentMicro(energy, price);
    Account account = state.account(ev.address());
    if (payment <= 0 || account.balance() < payment) {
      return Optional.empty();
    }
    long credit = account.balance();
    Payload.DemandResponseSettlement.Request request =
        new Payload.DemandResponseSettlement.Request(1, ev.address(), credit);
    Payload.DemandResponseSettlement.Token token =
        new Payload.DemandResponseSettlement.Token(
            credit,
            hourStartMs + 75 * MINUTE_MS,
            account.lastPayment(),
            hourStartMs + 5 * MINUTE_MS);
    return Optional.of(
        sign(
            sp,
            Payload.DemandResponseSettlement.sign(
                CHAIN_ID, request, token, energy, payment, sp, ev)));
  }

  // Submissions the mempool must refuse, each for a different reason, to show that it does.
  private void submitBadOnes(Mempool mempool, LedgerState state, Transaction valid, long now) {
    TransactionBody body = valid.body();
    KeyPair key = keys.get(valid.sender());

    byte[] sig = valid.signature().bytes();
    sig[0] ^= 1;
    Transaction forged = Transaction.of(body, Signature.of(sig));

    Transaction otherChain =
        new TransactionBody(CHAIN_ID + 1, body.sender(), body.nonce(), body.fee(), body.payload())
            .sign(key);

    KeyPair household = wallets.get(names.get(valid.sender()));
    Transaction selfReward =
        new TransactionBody(
                CHAIN_ID,
                household.publicKey(),
                state.account(household.address()).nonce(),
                FEE_MICRO,
                new Payload.Reward(household.address(), 1_000 * Units.MICRO_PER_COIN))
            .sign(household);

    for (Transaction bad : List.of(valid, forged, otherChain, selfReward)) {
      deliberatelyBad++;
      count(mempool.submit(bad, state, now));
    }
  }

  private Optional<TradeProof> proveOneTrade(Ledger ledger, Map<Long, List<Integer>> trades) {
    // The block with the most trades (the earliest on a tie), and the trade in its middle.
    long height = -1;
    int most = 0;
    for (Map.Entry<Long, List<Integer>> e : trades.entrySet()) {
      if (e.getValue().size() > most) {
        most = e.getValue().size();
        height = e.getKey();
      }
    }
    if (height < 0) {
      return Optional.empty();
    }
    List<Integer> indexes = trades.get(height);
    int index = indexes.get(indexes.size() / 2);
    long h = height;
    Block block =
        ledger
            .block(h)
            .orElseThrow(() -> new IllegalStateException("block %d is missing".formatted(h)));
    Transaction tx = block.transactions().get(index);
    Payload.EnergyTrade trade = (Payload.EnergyTrade) tx.body().payload();
    InclusionProof proof = ledger.proveTransaction(height, index);
    Hash root = block.header().transactionsRoot();
    boolean verified = proof.verifyTransaction(tx.encode(), block.header());
    byte[] tampered = tx.encode();
    tampered[tampered.length / 2] ^= 1;
    boolean tamperedRejected = !proof.verifyTransaction(tampered, block.header());
    return Optional.of(
        new TradeProof(
            height,
            index,
            block.transactions().size(),
            tx.id(),
            names.getOrDefault(trade.seller(), trade.seller().toString()),
            names.getOrDefault(trade.buyer(), trade.buyer().toString()),
            trade.energyWh(),
            trade.priceMicroPerKWh(),
            trade.market(),
            proof,
            root,
            verified,
            tamperedRejected));
  }

  private void addWallet(String name) {
    byte[] seed =
        Hash.sha256(
                ("gridtrade-demo/v1/" + settings.seed() + "/" + name)
                    .getBytes(StandardCharsets.UTF_8))
            .bytes();
    KeyPair k = KeyPair.fromSeed(seed);
    Arrays.fill(seed, (byte) 0);
    wallets.put(name, k);
    names.put(k.address(), name);
    keys.put(k.address(), k);
  }

  private static Path keystoreFile(Path dir, String name) {
    return dir.resolve(name + ".key");
  }

  private Transaction sign(KeyPair sender, Payload payload) {
    // Senders number their transactions from the chain's next nonce, consecutively within the hour.
    long nonce = nextNonce.computeIfAbsent(sender.address(), a -> current.account(a).nonce());
    nextNonce.put(sender.address(), nonce + 1);
    return new TransactionBody(CHAIN_ID, sender.publicKey(), nonce, FEE_MICRO, payload)
        .sign(sender);
  }

  private void count(TxResult result) {
    if (result instanceof TxResult.Rejected r) {
      refused.merge(r.reason(), 1L, Long::sum);
    }
  }
}
