package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.KeyPair;
import org.junit.jupiter.api.Test;

class ProofOfAuthorityTest {
  private final List<KeyPair> sealers = Fixtures.keys(50, 5);
  private final List<Address> sorted = Fixtures.addresses(sealers).stream().sorted().toList();

  private ProofOfAuthority poa(long epoch) {
    return ProofOfAuthority.builder()
        .sealers(Fixtures.addresses(sealers))
        .epochLength(epoch)
        .outOfTurnDelay(Duration.ofMillis(1_000))
        .wiggle(Duration.ofMillis(500))
        .build();
  }

  private KeyPair keyOf(Address a) {
    return sealers.stream().filter(k -> k.address().equals(a)).findFirst().orElseThrow();
  }

  /** Seals {@code count} in-turn blocks onto the fixture and verifies each. */
  private ChainFixture inTurnChain(ProofOfAuthority poa, int count) {
    ChainFixture chain = new ChainFixture(Fixtures.genesis(Fixtures.keys(0, 2), 1_000));
    for (int i = 0; i < count; i++) {
      long h = chain.head().height() + 1;
      KeyPair k = keyOf(sorted.get((int) (h % sorted.size())));
      BlockHeader u = chain.next(k, 0);
      BlockHeader s = u.withSeal(poa.seal(chain, u, k));
      assertThat(poa.verifySeal(chain, s, chain.head(), chain.genesis.state())).isEmpty();
      chain.headers.add(s);
    }
    return chain;
  }

  @Test
  void inTurnSealer_isHeightModN_withWeight2_othersOutOfTurnWithDistinctDelays() {
    ProofOfAuthority poa = poa(30_000);
    ChainFixture chain = inTurnChain(poa, 7);
    BlockHeader parent = chain.head();
    long h = parent.height() + 1;
    Set<Long> delays = new HashSet<>();
    int eligible = 0;
    for (Address a : sorted) {
      Eligibility e = poa.eligibility(chain, parent, a);
      boolean recent =
          a.equals(sorted.get((int) ((h - 1) % 5))) || a.equals(sorted.get((int) ((h - 2) % 5)));
      if (recent) {
        assertThat(e).isInstanceOf(Eligibility.Ineligible.class);
        assertThat(((Eligibility.Ineligible) e).reason()).contains("signer limit");
        continue;
      }
      eligible++;
      Eligibility.Eligible ok = (Eligibility.Eligible) e;
      assertThat(ok.inTurn()).isEqualTo(a.equals(sorted.get((int) (h % 5))));
      assertThat(ok.delayMillis()).isEqualTo(ok.inTurn() ? 0 : ok.delayMillis());
      delays.add(ok.delayMillis());
      // A second node with its own instance computes the same.
      assertThat(poa(30_000).eligibility(chain, parent, a)).isEqualTo(e);
    }
    assertThat(eligible).isEqualTo(3);
    assertThat(delays).containsExactlyInAnyOrder(0L, 1_000L, 1_500L);
    assertThat(poa.eligibility(chain, parent, Fixtures.key(3).address()))
        .isInstanceOf(Eligibility.Ineligible.class);

    KeyPair inTurn = keyOf(sorted.get((int) (h % 5)));
    KeyPair outOfTurn = keyOf(sorted.get((int) ((h + 1) % 5)));
    for (KeyPair k : List.of(inTurn, outOfTurn)) {
      BlockHeader u = chain.next(k, 0);
      BlockHeader s = u.withSeal(poa.seal(chain, u, k));
      assertThat(poa.weight(chain, s)).isEqualTo(k == inTurn ? 2 : 1);
    }
  }

  @Test
  void outOfTurnOrder_dependsOnParentHash() {
    ProofOfAuthority poa = poa(30_000);
    ChainFixture chain = inTurnChain(poa, 40);
    // Over many parents, every non-recent backup is sometimes first: the order is not fixed.
    Set<Address> first = new HashSet<>();
    for (int i = 10; i < 40; i++) {
      BlockHeader parent = chain.headers.get(i);
      for (Address a : sorted) {
        Eligibility e = poa.eligibility(chain, parent, a);
        if (e instanceof Eligibility.Eligible ok && ok.delayMillis() == 1_000) {
          first.add(a);
        }
      }
    }
    assertThat(first.size()).isGreaterThan(2);
  }

  @Test
  void checkpoint_mustListTheSealers_andCarryNoVote() {
    ProofOfAuthority poa = poa(4);
    ChainFixture chain = inTurnChain(poa, 3);
    KeyPair k = keyOf(sorted.get(4 % 5));
    BlockHeader u = chain.next(k, 0);
    BlockHeader parent = chain.head();
    var state = chain.genesis.state();
    assertThat(
            poa.verifySeal(
                chain,
                u.withSeal(ProofOfAuthority.Seal.sign(u, k, null, null).encode()),
                parent,
                state))
        .get()
        .asString()
        .contains("does not list the sealers");
    assertThat(
            poa.verifySeal(
                chain,
                u.withSeal(ProofOfAuthority.Seal.sign(u, k, null, sorted.subList(0, 4)).encode()),
                parent,
                state))
        .get()
        .asString()
        .contains("lists");
    assertThat(
            poa.verifySeal(
                chain,
                u.withSeal(
                    ProofOfAuthority.Seal.sign(
                            u,
                            k,
                            new ProofOfAuthority.Vote(Fixtures.key(9).address(), true),
                            sorted)
                        .encode()),
                parent,
                state))
        .get()
        .asString()
        .contains("carries a vote");
    BlockHeader good = u.withSeal(poa.seal(chain, u, k));
    assertThat(ProofOfAuthority.Seal.decode(good.seal()).checkpoint()).contains(sorted);
    assertThat(poa.verifySeal(chain, good, parent, state)).isEmpty();
    chain.headers.add(good);
    KeyPair k5 = keyOf(sorted.get(0));
    BlockHeader u5 = chain.next(k5, 0);
    assertThat(
            poa.verifySeal(
                chain,
                u5.withSeal(ProofOfAuthority.Seal.sign(u5, k5, null, sorted).encode()),
                good,
                state))
        .get()
        .asString()
        .contains("not a checkpoint");
  }

  @Test
  void sealKey_mustBeTheProposer() {
    ProofOfAuthority poa = poa(30_000);
    ChainFixture chain = inTurnChain(poa, 1);
    KeyPair a = keyOf(sorted.get(2));
    KeyPair b = keyOf(sorted.get(3));
    BlockHeader u = chain.next(a, 0);
    BlockHeader s = u.withSeal(ProofOfAuthority.Seal.sign(u, b, null, null).encode());
    assertThat(poa.verifySeal(chain, s, chain.head(), chain.genesis.state()))
        .get()
        .asString()
        .contains("is not the proposer");
    assertThat(poa.signer(s)).isEmpty();
    assertThatThrownBy(() -> poa.seal(chain, u, b)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void property_sealEncoding_roundTrips_andAnyTamperingIsCaught() {
    ChainFixture chain = new ChainFixture(Fixtures.genesis(Fixtures.keys(0, 2), 1_000));
    qt().withFixedSeed(42L)
        .withExamples(200)
        .forAll(integers().between(0, 2), integers().between(0, 12), longs().between(0, 1L << 40))
        .checkAssert(
            (voteKind, cpSize, salt) -> {
              KeyPair k = Fixtures.key((int) (salt % 7));
              BlockHeader u = chain.next(k, salt);
              ProofOfAuthority.Vote v =
                  voteKind == 0
                      ? null
                      : new ProofOfAuthority.Vote(Fixtures.key(cpSize).address(), voteKind == 1);
              List<Address> cp = null;
              if (cpSize > 0) {
                cp = new ArrayList<>();
                for (int i = 0; i < cpSize; i++) {
                  cp.add(Fixtures.key(200 + i).address());
                }
              }
              ProofOfAuthority.Seal seal = ProofOfAuthority.Seal.sign(u, k, v, cp);
              byte[] bytes = seal.encode();
              assertThat(bytes.length).isLessThanOrEqualTo(BlockHeader.MAX_SEAL_BYTES);
              ProofOfAuthority.Seal back = ProofOfAuthority.Seal.decode(bytes);
              assertThat(back).isEqualTo(seal);
              assertThat(back.verifies(u)).isTrue();
              int pos = (int) (salt % bytes.length);
              byte[] tampered = bytes.clone();
              tampered[pos] ^= 1;
              boolean caught;
              try {
                caught = !ProofOfAuthority.Seal.decode(tampered).verifies(u);
              } catch (IllegalArgumentException e) {
                caught = true;
              }
              assertThat(caught).as("flip at %d", pos).isTrue();
              byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
              assertThatThrownBy(() -> ProofOfAuthority.Seal.decode(longer))
                  .hasMessageContaining("trailing");
            });
  }

  @Test
  void builder_rejectsBadSettings_namingTheValue() {
    assertThatThrownBy(() -> ProofOfAuthority.builder().sealers(List.of()))
        .hasMessageContaining("sealers count 0");
    Address a = Fixtures.key(1).address();
    assertThatThrownBy(() -> ProofOfAuthority.builder().sealers(List.of(a, a)))
        .hasMessageContaining("duplicates");
    assertThatThrownBy(() -> ProofOfAuthority.builder().epochLength(0))
        .hasMessageContaining("epochLength 0");
    assertThatThrownBy(() -> ProofOfAuthority.builder().wiggle(Duration.ofMillis(-1)))
        .hasMessageContaining("wiggle PT-0.001S must be >= 0");
    assertThatThrownBy(() -> ProofOfAuthority.builder().build())
        .isInstanceOf(IllegalStateException.class);
  }
}
