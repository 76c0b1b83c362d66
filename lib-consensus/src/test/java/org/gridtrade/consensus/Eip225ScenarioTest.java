package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.KeyPair;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The voting scenarios of EIP-225's test table (as in go-ethereum's {@code
 * consensus/clique/snapshot_test.go}): each block is sealed by a named signer, optionally with a
 * vote or a checkpoint list; the expected final sealer set, or the expected failure, is the EIP's.
 */
class Eip225ScenarioTest {

  /** One block: who seals it, what it votes, whether it is a checkpoint or starts a new batch. */
  record V(String signer, String voted, boolean auth, List<String> checkpoint, boolean newBatch) {
    static V seal(String s) {
      return new V(s, "", false, null, false);
    }

    static V add(String s, String target) {
      return new V(s, target, true, null, false);
    }

    static V drop(String s, String target) {
      return new V(s, target, false, null, false);
    }

    static V checkpoint(String s, String... list) {
      return new V(s, "", false, List.of(list), false);
    }

    static V newBatch(String s) {
      return new V(s, "", false, null, true);
    }
  }

  enum Failure {
    NONE,
    UNAUTHORIZED,
    RECENTLY_SIGNED
  }

  static Stream<Arguments> scenarios() {
    return Stream.of(
        sc("single signer, no votes cast", 0, "A", List.of(V.seal("A")), "A"),
        sc(
            "single signer, voting to add two others (only the first is accepted)",
            0,
            "A",
            List.of(V.add("A", "B"), V.seal("B"), V.add("A", "C")),
            "A B"),
        sc(
            "two signers, voting to add three others (only the first two are accepted)",
            0,
            "A B",
            List.of(
                V.add("A", "C"),
                V.add("B", "C"),
                V.add("A", "D"),
                V.add("B", "D"),
                V.seal("C"),
                V.add("A", "E"),
                V.add("B", "E")),
            "A B C D"),
        sc("single signer, dropping itself", 0, "A", List.of(V.drop("A", "A")), ""),
        sc(
            "two signers, mutual consent to drop needed (not fulfilled)",
            0,
            "A B",
            List.of(V.drop("A", "B")),
            "A B"),
        sc(
            "two signers, mutual consent to drop needed (fulfilled)",
            0,
            "A B",
            List.of(V.drop("A", "B"), V.drop("B", "B")),
            "A"),
        sc(
            "three signers, two of them dropping the third",
            0,
            "A B C",
            List.of(V.drop("A", "C"), V.drop("B", "C")),
            "A B"),
        sc(
            "four signers, consensus of two not enough to drop anyone",
            0,
            "A B C D",
            List.of(V.drop("A", "C"), V.drop("B", "C")),
            "A B C D"),
        sc(
            "four signers, consensus of three enough to drop someone",
            0,
            "A B C D",
            List.of(V.drop("A", "D"), V.drop("B", "D"), V.drop("C", "D")),
            "A B C"),
        sc(
            "authorizations are counted once per signer per target",
            0,
            "A B",
            List.of(V.add("A", "C"), V.seal("B"), V.add("A", "C"), V.seal("B"), V.add("A", "C")),
            "A B"),
        sc(
            "authorizing multiple accounts concurrently is permitted",
            0,
            "A B",
            List.of(
                V.add("A", "C"),
                V.seal("B"),
                V.add("A", "D"),
                V.seal("B"),
                V.seal("A"),
                V.add("B", "D"),
                V.seal("A"),
                V.add("B", "C")),
            "A B C D"),
        sc(
            "deauthorizations are counted once per signer per target",
            0,
            "A B",
            List.of(V.drop("A", "B"), V.seal("B"), V.drop("A", "B"), V.seal("B"), V.drop("A", "B")),
            "A B"),
        sc(
            "deauthorizing multiple accounts concurrently is permitted",
            0,
            "A B C D",
            List.of(
                V.drop("A", "C"),
                V.seal("B"),
                V.seal("C"),
                V.drop("A", "D"),
                V.seal("B"),
                V.seal("C"),
                V.seal("A"),
                V.drop("B", "D"),
                V.drop("C", "D"),
                V.seal("A"),
                V.drop("B", "C")),
            "A B"),
        sc(
            "votes from deauthorized signers are discarded immediately (deauth votes)",
            0,
            "A B C",
            List.of(V.drop("C", "B"), V.drop("A", "C"), V.drop("B", "C"), V.drop("A", "B")),
            "A B"),
        sc(
            "votes from deauthorized signers are discarded immediately (auth votes)",
            0,
            "A B C",
            List.of(V.add("C", "D"), V.drop("A", "C"), V.drop("B", "C"), V.add("A", "D")),
            "A B"),
        sc(
            "cascading changes are not allowed, only the account voted on may change",
            0,
            "A B C D",
            List.of(
                V.drop("A", "C"),
                V.seal("B"),
                V.seal("C"),
                V.drop("A", "D"),
                V.drop("B", "C"),
                V.seal("C"),
                V.seal("A"),
                V.drop("B", "D"),
                V.drop("C", "D")),
            "A B C"),
        sc(
            "changes reaching consensus out of bounds (via a deauth) execute on touch",
            0,
            "A B C D",
            List.of(
                V.drop("A", "C"),
                V.seal("B"),
                V.seal("C"),
                V.drop("A", "D"),
                V.drop("B", "C"),
                V.seal("C"),
                V.seal("A"),
                V.drop("B", "D"),
                V.drop("C", "D"),
                V.seal("A"),
                V.add("C", "C")),
            "A B"),
        sc(
            "changes reaching consensus out of bounds may go out of consensus on first touch",
            0,
            "A B C D",
            List.of(
                V.drop("A", "C"),
                V.seal("B"),
                V.seal("C"),
                V.drop("A", "D"),
                V.drop("B", "C"),
                V.seal("C"),
                V.seal("A"),
                V.drop("B", "D"),
                V.drop("C", "D"),
                V.seal("A"),
                V.add("B", "C")),
            "A B C"),
        sc(
            "pending votes do not survive authorization status changes",
            0,
            "A B C D E",
            List.of(
                V.add("A", "F"),
                V.add("B", "F"),
                V.add("C", "F"),
                V.drop("D", "F"),
                V.drop("E", "F"),
                V.drop("B", "F"),
                V.drop("C", "F"),
                V.add("D", "F"),
                V.add("E", "F"),
                V.drop("B", "A"),
                V.drop("C", "A"),
                V.drop("D", "A"),
                V.add("B", "F")),
            "B C D E F"),
        sc(
            "epoch transitions reset all votes to allow chain checkpointing",
            3,
            "A B",
            List.of(V.add("A", "C"), V.seal("B"), V.checkpoint("A", "A", "B"), V.add("B", "C")),
            "A B"),
        fail(
            "an unauthorized signer cannot sign blocks",
            0,
            "A",
            List.of(V.seal("B")),
            Failure.UNAUTHORIZED),
        fail(
            "an authorized signer that signed recently cannot sign again",
            0,
            "A B",
            List.of(V.seal("A"), V.seal("A")),
            Failure.RECENTLY_SIGNED),
        fail(
            "recent signatures do not reset on checkpoint blocks imported in a batch",
            3,
            "A B C",
            List.of(V.seal("A"), V.seal("B"), V.checkpoint("A", "A", "B", "C"), V.seal("A")),
            Failure.RECENTLY_SIGNED),
        fail(
            "recent signatures do not reset on checkpoint blocks imported in a new batch",
            3,
            "A B C",
            List.of(V.seal("A"), V.seal("B"), V.checkpoint("A", "A", "B", "C"), V.newBatch("A")),
            Failure.RECENTLY_SIGNED));
  }

  private static Arguments sc(
      String name, long epoch, String signers, List<V> votes, String results) {
    return Arguments.of(name, epoch, signers, votes, results, Failure.NONE);
  }

  private static Arguments fail(
      String name, long epoch, String signers, List<V> votes, Failure failure) {
    return Arguments.of(name, epoch, signers, votes, null, failure);
  }

  private static final Map<String, KeyPair> KEYS = new HashMap<>();

  static {
    String names = "ABCDEF";
    for (int i = 0; i < names.length(); i++) {
      KEYS.put(names.substring(i, i + 1), Fixtures.key(100 + i));
    }
  }

  private static List<Address> addresses(String names) {
    TreeSet<Address> out = new TreeSet<>();
    for (String n : names.split(" ")) {
      if (!n.isEmpty()) {
        out.add(KEYS.get(n).address());
      }
    }
    return new ArrayList<>(out);
  }

  private static List<Address> addresses(List<String> names) {
    return addresses(String.join(" ", names));
  }

  private static ProofOfAuthority poa(String signers, long epoch) {
    return ProofOfAuthority.builder()
        .sealers(addresses(signers))
        .epochLength(epoch == 0 ? 30_000 : epoch)
        .build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void scenario_matchesEip225(
      String name, long epoch, String signers, List<V> votes, String results, Failure failure) {
    ChainFixture chain = new ChainFixture(Fixtures.genesis(Fixtures.keys(0, 2), 1_000_000));
    ProofOfAuthority poa = poa(signers, epoch);
    Optional<String> error = Optional.empty();
    for (int j = 0; j < votes.size() && error.isEmpty(); j++) {
      V v = votes.get(j);
      if (v.newBatch()) {
        poa = poa(signers, epoch); // a fresh node: the sealer set is rebuilt from the chain
      }
      KeyPair key = KEYS.get(v.signer());
      BlockHeader unsealed = chain.next(key, 0);
      ProofOfAuthority.Vote vote =
          v.voted().isEmpty()
              ? null
              : new ProofOfAuthority.Vote(KEYS.get(v.voted()).address(), v.auth());
      List<Address> cp = v.checkpoint() == null ? null : addresses(v.checkpoint());
      BlockHeader sealed =
          unsealed.withSeal(ProofOfAuthority.Seal.sign(unsealed, key, vote, cp).encode());
      error = poa.verifySeal(chain, sealed, chain.head(), chain.genesis.state());
      if (error.isEmpty()) {
        chain.headers.add(sealed);
      } else {
        assertThat(j).as("failing block index").isEqualTo(votes.size() - 1);
      }
    }
    switch (failure) {
      case NONE -> {
        assertThat(error).isEmpty();
        assertThat(poa.sealers(chain, chain.head())).isEqualTo(addresses(results));
        // A fresh verifier rebuilds the same set from the chain alone.
        assertThat(poa(signers, epoch).sealers(chain, chain.head())).isEqualTo(addresses(results));
      }
      case UNAUTHORIZED -> assertThat(error).get().asString().contains("not authorised");
      case RECENTLY_SIGNED -> assertThat(error).get().asString().contains("signer limit");
    }
  }
}
