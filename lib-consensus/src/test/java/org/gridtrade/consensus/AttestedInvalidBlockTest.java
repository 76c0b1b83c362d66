package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.gridtrade.consensus.EngineListener.Rejection;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Signature;
import org.junit.jupiter.api.Test;

/**
 * {@link TrustStake}'s confiscation of a deposit for an invalid block that only the state shows
 * (kind-4 attestations): the more-than-2/3 rule, what an attestation must satisfy, the window, the
 * reporter, and the trust-coin rule. The seals with doctored evidence are built from the seal
 * format documented on {@link TrustStake}.
 */
class AttestedInvalidBlockTest {
  private static final long TIMEOUT = 1_000;
  private static final int PLAIN_SEAL = 1 + 32 + 1 + 64;
  private static final int ATTESTING_SEAL = 1 + 32 + 1 + 8 + 32 + 32 + 20 + 64;

  private final List<KeyPair> keys = Fixtures.keys(300, 12);
  private final TrustChain chain = new TrustChain(Fixtures.genesis(keys, 1_000_000_000_000L));

  private TrustStake protocol(int committee, int epochLength, int attestationEpochs) {
    return TrustStake.builder()
        .initialValidators(keys.subList(0, committee).stream().map(KeyPair::address).toList())
        .committeeSize(committee)
        .epochLength(epochLength)
        .selectionBlock(1)
        .timeout(Duration.ofMillis(TIMEOUT))
        .minTrust(0)
        .attestationEpochs(attestationEpochs)
        .build();
  }

  /** A block by {@code cheat} on the head, signed; invalid by assumption (nobody here checks). */
  private Block signedBy(TrustStake p, KeyPair cheat, long gap) {
    Block bad = chain.unsealed(cheat.address(), List.of(), gap);
    return bad.withSeal(p.seal(chain, bad.header(), cheat));
  }

  /** The documented kind-4 evidence for {@code h}. */
  private static byte[] attestation(BlockHeader h) {
    return ByteBuffer.allocate(93)
        .put((byte) 4)
        .putLong(h.height())
        .put(h.previousHash().bytes())
        .put(h.hash().bytes())
        .put(h.proposer().bytes())
        .array();
  }

  /** A seal in the documented format carrying {@code evidence}, signed by {@code key}. */
  private static byte[] seal(BlockHeader unsealed, KeyPair key, byte[] evidence) {
    byte[] body =
        ByteBuffer.allocate(1 + 32 + evidence.length)
            .put((byte) 1)
            .put(key.publicKey().bytes())
            .put(evidence)
            .array();
    byte[] domain = "GridTrade/trust/v1".getBytes(StandardCharsets.US_ASCII);
    byte[] msg =
        ByteBuffer.allocate(domain.length + 32 + body.length)
            .put(domain)
            .put(unsealed.sealingHash().bytes())
            .put(body)
            .array();
    Signature sig = key.sign(msg);
    return ByteBuffer.allocate(body.length + 64).put(body).put(sig.bytes()).array();
  }

  /** Why a block by {@code key} on the head carrying {@code evidence} is refused, if it is. */
  private java.util.Optional<String> verifyWith(TrustStake p, KeyPair key, byte[] evidence) {
    Block u = chain.unsealed(key.address(), List.of(), 20 * TIMEOUT);
    BlockHeader h = u.header().withSeal(seal(u.header(), key, evidence));
    return p.verifySeal(chain, h, chain.head(), null);
  }

  @Test
  void moreThanTwoThirdsOfTheOtherMembers_confiscate_andEveryNodeFoldsTheSame() {
    TrustStake p = protocol(5, 50, 10);
    KeyPair cheat = keys.get(1);
    chain.append(p, chain.inTurn(p, keys), List.of(chain.burn(cheat, 1, 5_000)), 1_000);
    Block bad = signedBy(p, cheat, 5 * TIMEOUT);

    TrustStake node = protocol(5, 50, 10); // the attesting nodes' queue (one key each in practice)
    List<KeyPair> attesters = List.of(keys.get(0), keys.get(3), keys.get(4));
    Set<Address> so = new HashSet<>();
    for (int i = 0; i < attesters.size(); i++) {
      node.attestInvalid(bad.header());
      Block b = chain.append(node, attesters.get(i), List.of(), 5 * TIMEOUT);
      assertThat(b.header().seal()).as("attestation %d is carried", i + 1).hasSize(ATTESTING_SEAL);
      so.add(attesters.get(i).address());
      TrustStake.Snapshot s = p.snapshot(chain, chain.head()); // p never saw the block
      if (i < 2) {
        assertThat(s.confiscated()).isEmpty();
        assertThat(s.depositsMicro()).containsEntry(cheat.address(), 5_000L);
        assertThat(s.attestations())
            .containsExactly(new TrustStake.Attestation(cheat.address(), 0, so, 3));
      } else {
        assertThat(s.confiscated()).containsExactly(cheat.address());
        assertThat(s.depositsMicro()).containsEntry(cheat.address(), 0L);
        assertThat(s.order()).doesNotContain(cheat.address()).hasSize(4);
        assertThat(s.attestations()).isEmpty();
      }
    }
    // The fourth member's seal no longer carries it: confiscated already.
    node.attestInvalid(bad.header());
    Block after = chain.append(node, keys.get(2), List.of(), 5 * TIMEOUT);
    assertThat(after.header().seal()).hasSize(PLAIN_SEAL);
    // A node that replays the chain from scratch reaches the same state.
    TrustStake fresh = protocol(5, 50, 10);
    TrustStake.Snapshot a = p.snapshot(chain, chain.head());
    TrustStake.Snapshot b = fresh.snapshot(chain, chain.head());
    assertThat(b.confiscated()).isEqualTo(a.confiscated());
    assertThat(b.order()).isEqualTo(a.order());
    assertThat(b.attestations()).isEqualTo(a.attestations());
    // Two attestations are not enough: stop before the third on a copy of the chain.
    TrustStake.Snapshot two = fresh.snapshot(chain, chain.header(3).orElseThrow());
    assertThat(two.confiscated()).isEmpty();
    assertThat(two.attestations().get(0).attesters()).hasSize(2);
  }

  @Test
  void anAttestation_mustNameARealSlotOfTheEpoch_byADistinctMember_once() {
    TrustStake p = protocol(4, 50, 10);
    KeyPair cheat = keys.get(2);
    chain.append(p, chain.inTurn(p, keys), List.of(), 1_000);
    Block bad = signedBy(p, cheat, 4 * TIMEOUT);
    KeyPair a0 = keys.get(0);
    assertThat(verifyWith(p, a0, attestation(bad.header()))).isEmpty();
    chain.blocks.add(
        chain
            .unsealed(a0.address(), List.of(), 4 * TIMEOUT)
            .withSeal(
                seal(
                    chain.unsealed(a0.address(), List.of(), 4 * TIMEOUT).header(),
                    a0,
                    attestation(bad.header()))));
    assertThat(p.snapshot(chain, chain.head()).attestations()).hasSize(1);

    assertThat(verifyWith(p, a0, attestation(bad.header())))
        .hasValueSatisfying(m -> assertThat(m).contains("already"));
    assertThat(verifyWith(p, cheat, attestation(bad.header())))
        .hasValueSatisfying(m -> assertThat(m).contains("its own block"));
    BlockHeader canonical = chain.header(1).orElseThrow();
    assertThat(verifyWith(p, keys.get(1), attestation(canonical)))
        .hasValueSatisfying(m -> assertThat(m).contains("is canonical"));
    BlockHeader offChain =
        new BlockHeader(
            bad.height(),
            Hash.sha256(new byte[] {1}),
            bad.header().transactionsRoot(),
            0,
            Hash.ZERO,
            bad.header().timestamp(),
            cheat.address(),
            bad.header().seal());
    assertThat(verifyWith(p, keys.get(1), attestation(offChain)))
        .hasValueSatisfying(m -> assertThat(m).contains("canonical chain"));
    BlockHeader outsider = withProposer(bad.header(), keys.get(9).address());
    assertThat(verifyWith(p, keys.get(1), attestation(outsider)))
        .hasValueSatisfying(m -> assertThat(m).contains("was not in the committee"));
    BlockHeader future =
        new BlockHeader(
            bad.height() + 5,
            bad.header().previousHash(),
            bad.header().transactionsRoot(),
            0,
            Hash.ZERO,
            0,
            cheat.address(),
            new byte[0]);
    assertThat(verifyWith(p, keys.get(1), attestation(future)))
        .hasValueSatisfying(m -> assertThat(m).contains("outside"));
    byte[] unknownKind = attestation(bad.header());
    unknownKind[0] = 5;
    assertThat(verifyWith(p, keys.get(1), unknownKind))
        .hasValueSatisfying(m -> assertThat(m).contains("not in 0..4"));
    byte[] truncated = java.util.Arrays.copyOf(attestation(bad.header()), 60);
    assertThat(verifyWith(p, keys.get(1), truncated))
        .hasValueSatisfying(m -> assertThat(m).contains("truncated"));
    // The one left is fine.
    assertThat(verifyWith(p, keys.get(1), attestation(bad.header()))).isEmpty();
  }

  private static BlockHeader withProposer(BlockHeader h, Address proposer) {
    return new BlockHeader(
        h.height(),
        h.previousHash(),
        h.transactionsRoot(),
        h.transactionCount(),
        h.stateRoot(),
        h.timestamp(),
        proposer,
        h.seal());
  }

  @Test
  void attestationsExpire_afterTheWindowOfEpochs() {
    TrustStake p = protocol(3, 2, 2); // epochs of 2 blocks, attestable in the epoch and the next
    KeyPair cheat = keys.get(1);
    Block bad = signedBy(p, cheat, 3 * TIMEOUT); // height 1, epoch 0
    chain.append(p, chain.inTurn(p, keys), List.of(), 1_000); // 1
    chain.append(p, chain.inTurn(p, keys), List.of(), 1_000); // 2: epoch 1 begins next
    assertThat(verifyWith(p, keys.get(0), attestation(bad.header()))).isEmpty();
    chain.append(p, chain.inTurn(p, keys), List.of(), 1_000); // 3
    chain.append(p, chain.inTurn(p, keys), List.of(), 1_000); // 4: epoch 2 next
    assertThat(verifyWith(p, keys.get(0), attestation(bad.header())))
        .hasValueSatisfying(m -> assertThat(m).contains("more than 1 epochs before epoch 2"));
    // The reporter drops it rather than sealing a block every node would refuse.
    TrustStake node = protocol(3, 2, 2);
    node.attestInvalid(bad.header());
    assertThat(chain.append(node, keys.get(0), List.of(), 3 * TIMEOUT).header().seal())
        .hasSize(PLAIN_SEAL);
  }

  @Test
  void theReporter_attestsOnlyBlocksFoundInvalid_neverOnesThatLostForkChoiceOrAreDetached() {
    TrustStake p = protocol(4, 50, 10);
    chain.append(p, chain.inTurn(p, keys), List.of(), 1_000);
    KeyPair other = keys.get(3);
    Block rejected = signedBy(p, other, 4 * TIMEOUT);
    KeyPair me = keys.get(0);
    for (Rejection.Kind kind : List.of(Rejection.Kind.SUPERSEDED, Rejection.Kind.DETACHED)) {
      TrustStake node = protocol(4, 50, 10);
      node.evidenceReporter().onRejected(new Rejection(rejected, "peer", "not taken", kind));
      Block u = chain.unsealed(me.address(), List.of(), 4 * TIMEOUT);
      assertThat(node.seal(chain, u.header(), me)).as("%s", kind).hasSize(PLAIN_SEAL);
    }
    TrustStake node = protocol(4, 50, 10);
    node.evidenceReporter()
        .onRejected(new Rejection(rejected, "peer", "stateRoot mismatch", Rejection.Kind.INVALID));
    Block u = chain.unsealed(me.address(), List.of(), 4 * TIMEOUT);
    byte[] s = node.seal(chain, u.header(), me);
    assertThat(s).as("the slot rules hold: the attestation, not kind 1").hasSize(ATTESTING_SEAL);
    assertThat(p.verifySeal(chain, u.header().withSeal(s), chain.head(), null)).isEmpty();
    // An unsigned header is never attested.
    Block unsigned = rejected.withSeal(new byte[PLAIN_SEAL]);
    assertThatThrownBy(() -> node.attestInvalid(unsigned.header()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not verify");
    assertThatThrownBy(() -> TrustStake.builder().attestationEpochs(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attestationEpochs 0");
  }

  /**
   * On random committees and random sequences of members trying to attest one invalid block: the
   * deposit goes exactly when the distinct attesters other than the offender outnumber two thirds
   * of the other members; the offender and repeat attesters never count.
   */
  @Test
  void property_confiscation_exactlyWhenDistinctOtherAttestersExceedTwoThirds() {
    qt().withFixedSeed(7004)
        .withExamples(60)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              int n = 2 + rnd.nextInt(7);
              TrustChain c = new TrustChain(Fixtures.genesis(keys, 1_000_000_000_000L));
              TrustStake p =
                  TrustStake.builder()
                      .initialValidators(keys.subList(0, n).stream().map(KeyPair::address).toList())
                      .committeeSize(n)
                      .epochLength(100)
                      .timeout(Duration.ofMillis(TIMEOUT))
                      .minTrust(0)
                      .build();
              KeyPair cheat = keys.get(rnd.nextInt(n));
              // (a moment later than the cheat's own block would be: not the same block)
              Block bad = c.unsealed(cheat.address(), List.of(), n * TIMEOUT + 1);
              bad = bad.withSeal(p.seal(c, bad.header(), cheat));
              Set<Address> counted = new HashSet<>();
              boolean gone = false;
              int attempts = 1 + rnd.nextInt(2 * n);
              for (int i = 0; i < attempts; i++) {
                KeyPair k = keys.get(rnd.nextInt(n));
                if (gone && k.equals(cheat)) {
                  continue; // it may no longer seal
                }
                TrustStake node =
                    TrustStake.builder()
                        .initialValidators(
                            keys.subList(0, n).stream().map(KeyPair::address).toList())
                        .committeeSize(n)
                        .epochLength(100)
                        .timeout(Duration.ofMillis(TIMEOUT))
                        .minTrust(0)
                        .build();
                node.attestInvalid(bad.header());
                Block b = c.append(node, k, List.of(), n * TIMEOUT);
                boolean counts = !gone && !k.equals(cheat) && !counted.contains(k.address());
                assertThat(b.header().seal().length)
                    .as("n=%d, attempt %d by %s", n, i, k.address())
                    .isEqualTo(counts ? ATTESTING_SEAL : PLAIN_SEAL);
                if (counts) {
                  counted.add(k.address());
                }
                gone = 3 * counted.size() > 2 * (n - 1);
                assertThat(p.snapshot(c, c.head()).confiscated().contains(cheat.address()))
                    .as("n=%d, %d distinct attesters", n, counted.size())
                    .isEqualTo(gone);
              }
            });
  }

  @Test
  void aCommitteeOfOne_cannotConfiscateByAttestation() {
    TrustStake p = protocol(1, 50, 10);
    Block bad = signedBy(p, keys.get(0), 1_000);
    TrustStake node = protocol(1, 50, 10);
    node.attestInvalid(bad.header());
    KeyPair only = keys.get(0);
    assertThat(p.eligibility(chain, chain.head(), only.address()))
        .isInstanceOf(Eligibility.Eligible.class);
    assertThat(chain.append(node, only, List.of(), 1_000).header().seal()).hasSize(PLAIN_SEAL);
    assertThat(p.snapshot(chain, chain.head()).confiscated()).isEmpty();
    assertThat(new ArrayList<>(p.snapshot(chain, chain.head()).attestations())).isEmpty();
  }
}
