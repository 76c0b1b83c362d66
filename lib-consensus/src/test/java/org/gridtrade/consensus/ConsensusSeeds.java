package org.gridtrade.consensus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.consensus.poeg.ProofOfEnergyGeneration;
import org.gridtrade.consensus.posoc.ProofOfStateOfCharge;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;

/**
 * Fixtures and valid inputs of {@link ConsensusDecodersFuzzTest}: seals of every protocol signed
 * over one header, a short Proof of Authority chain sealed by a real engine, and engines that
 * follow it. {@link #main} writes the valid inputs as {@code valid-NN} files:
 *
 * <pre>
 * java -cp &lt;test class path&gt; org.gridtrade.consensus.ConsensusSeeds lib-consensus/src/test/resources
 * </pre>
 */
final class ConsensusSeeds {
  static final KeyPair SEALER = Fixtures.key(50);
  private static final Genesis GENESIS = Fixtures.genesis(Fixtures.keys(0, 4), 1_000_000_000L);

  private static List<Block> blocks;
  private static List<byte[]> trustSeals;
  private static BlockHeader trustHeader;

  private ConsensusSeeds() {}

  /** An unsealed header at height 1 proposed by {@link #SEALER}. */
  static BlockHeader header() {
    BlockHeader g = GENESIS.block().header();
    return new BlockHeader(
        1,
        g.hash(),
        Block.transactionsRoot(List.of()),
        0,
        g.stateRoot(),
        g.timestamp() + 1_000,
        SEALER.address(),
        new byte[0]);
  }

  static ProofOfAuthority poaProtocol() {
    return ProofOfAuthority.builder().sealers(List.of(SEALER.address())).build();
  }

  static ProofOfEnergyGeneration poegProtocol() {
    return ProofOfEnergyGeneration.builder().source(h -> List.of()).build();
  }

  static ProofOfStateOfCharge posocProtocol() {
    return ProofOfStateOfCharge.builder().source(p -> List.of()).build();
  }

  static synchronized TrustStake trustProtocol() {
    return TrustStake.builder()
        .initialValidators(List.of(SEALER.address()))
        .committeeSize(1)
        .epochLength(10)
        .selectionBlock(5)
        .build();
  }

  /** Seals a trust-stake chain of three blocks and keeps their seals and the first header. */
  private static synchronized void trustChain() {
    if (trustSeals != null) {
      return;
    }
    TrustChain chain = new TrustChain(GENESIS);
    TrustStake p = trustProtocol();
    List<byte[]> seals = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Block b = chain.append(p, SEALER, List.of(), 1_000);
      seals.add(b.header().seal());
      if (i == 0) {
        trustHeader = b.header();
      }
    }
    trustSeals = seals;
  }

  /** The first block of the trust-stake seed chain, sealed. */
  static synchronized BlockHeader trustHeader() {
    trustChain();
    return trustHeader;
  }

  /**
   * Three blocks sealed by a real PoA engine (the first two hold transfers).
   *
   * @return the blocks at heights 1, 2, 3
   */
  static synchronized List<Block> blocks() {
    if (blocks != null) {
      return blocks;
    }
    List<Block> out = new ArrayList<>();
    ManualClock clock = new ManualClock(Fixtures.GENESIS_TIME + 10_000);
    BlockPolicy policy = BlockPolicy.DEFAULT.withBlockPeriod(Duration.ofMillis(1_000));
    try (BlockEngine e =
        BlockEngine.builder()
            .genesis(GENESIS)
            .store(BlockStores.inMemory())
            .schedule(ConsensusSchedule.of(poaProtocol()))
            .policy(policy)
            .clock(clock)
            .sealingKey(SEALER)
            .listener(
                new EngineListener() {
                  @Override
                  public void onBlock(Block block, boolean local) {
                    out.add(block);
                  }
                })
            .build()) {
      List<KeyPair> users = Fixtures.keys(0, 4);
      for (int round = 0; round < 3 && out.size() < 3; round++) {
        if (round < 2) {
          for (int u = 0; u < 2; u++) {
            e.submit(Fixtures.transfer(users.get(u), users.get(3).address(), round, 10 + u, 1));
          }
        } else {
          e.submit(Fixtures.transfer(users.get(2), users.get(3).address(), 0, 7, 1));
        }
        for (int i = 0; i < 30 && out.size() <= round; i++) {
          clock.advance(100);
          e.tick();
        }
      }
    }
    if (out.size() != 3) {
      throw new IllegalStateException("the seed engine sealed " + out.size() + " blocks, not 3");
    }
    blocks = List.copyOf(out);
    return blocks;
  }

  /**
   * A non-sealing engine over the seed genesis and protocol, with a transport that drops what it
   * sends, reporting rejections into {@code rejected}. Its clock stands after the seed blocks and
   * does not move, so every run is reproducible.
   */
  static BlockEngine follower(List<EngineListener.Rejection> rejected) {
    return BlockEngine.builder()
        .genesis(GENESIS)
        .store(BlockStores.inMemory())
        .schedule(ConsensusSchedule.of(poaProtocol()))
        .clock(new ManualClock(blocks().get(blocks().size() - 1).header().timestamp() + 1_000))
        .transport(
            new Transport() {
              @Override
              public void broadcast(ConsensusMessage message) {}

              @Override
              public void send(String peer, ConsensusMessage message) {}

              @Override
              public void listen(Receiver receiver) {}

              @Override
              public String localId() {
                return "fuzzed-node";
              }
            })
        .listener(
            new EngineListener() {
              @Override
              public void onRejected(Rejection r) {
                rejected.add(r);
              }
            })
        .build();
  }

  /** Every target's valid inputs, by target method name. */
  static Map<String, List<byte[]>> inputs() {
    BlockHeader h = header();
    Map<String, List<byte[]>> m = new LinkedHashMap<>();
    m.put(
        "decodePoaSeal_anyBytes_canonicalOrRejected",
        List.of(
            ProofOfAuthority.Seal.sign(h, SEALER, null, null).encode(),
            ProofOfAuthority.Seal.sign(
                    h, SEALER, new ProofOfAuthority.Vote(Fixtures.key(3).address(), true), null)
                .encode(),
            ProofOfAuthority.Seal.sign(
                    h,
                    SEALER,
                    null,
                    List.of(SEALER.address(), Fixtures.key(1).address(), Fixtures.key(2).address()))
                .encode()));
    m.put(
        "decodePoegSeal_anyBytes_canonicalOrRejected",
        List.of(ProofOfEnergyGeneration.Seal.sign(h, SEALER).encode()));
    m.put(
        "decodePosocSeal_anyBytes_canonicalOrRejected",
        List.of(
            ProofOfStateOfCharge.Seal.sign(h, SEALER, Optional.empty()).encode(),
            ProofOfStateOfCharge.Seal.sign(h, SEALER, Optional.of(Hash.sha256(new byte[] {7})))
                .encode()));
    trustChain();
    m.put("trustStakeSigner_anySeal_answersWithoutThrowing", List.copyOf(trustSeals));
    return m;
  }

  /**
   * Writes the inputs.
   *
   * @param args the test resources root
   * @throws IOException if a file cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args[0]).resolve("org/gridtrade/consensus/ConsensusDecodersFuzzTestInputs");
    for (Map.Entry<String, List<byte[]>> e : inputs().entrySet()) {
      Path dir = Files.createDirectories(root.resolve(e.getKey()));
      for (int i = 0; i < e.getValue().size(); i++) {
        Files.write(dir.resolve("valid-%02d".formatted(i)), e.getValue().get(i));
      }
    }
  }
}
