package org.gridtrade.consensus.spi;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.gridtrade.ledger.Address;

/**
 * Where Proof of Energy Generation gets its proof scores (Moniruzzaman Ch. 3; see
 * docs/consensus.md, "Proof of Energy Generation"): for each height, the candidate coalitions with
 * their proof scores {@code PS_S} and their members' scores {@code PS_Si}. In the SDK's demo the
 * coalition module computes them; the consensus module only reads them.
 *
 * <p><b>Contract.</b> Every node must be given a source that returns the same candidates for the
 * same height (the scores are public data of the round, e.g. recorded on chain or agreed before the
 * round); otherwise nodes disagree on the proposer and reject each other's blocks. Implementations
 * are thread-safe.
 */
@FunctionalInterface
public interface EnergyProofSource {

  /**
   * The candidate coalitions for the block at {@code height}.
   *
   * @param height the height of the block being proposed, 1 or more
   * @return the candidates, in any order (the protocol orders them by id); coalitions with proof
   *     score 0 are never drawn
   */
  List<Candidate> candidates(long height);

  /**
   * A coalition that may be drawn to propose.
   *
   * @param id a name unique among one height's candidates, 1 to 64 characters
   * @param proofScore the coalition's proof score {@code PS_S}, finite and 0 or more
   * @param members the members, at least one, distinct addresses
   */
  record Candidate(String id, double proofScore, List<Member> members) {
    public Candidate {
      Objects.requireNonNull(id, "id");
      if (id.isEmpty() || id.length() > 64) {
        throw new IllegalArgumentException(
            "id \"%s\" has %d characters, must be 1 to 64".formatted(id, id.length()));
      }
      if (!Double.isFinite(proofScore) || proofScore < 0) {
        throw new IllegalArgumentException(
            "proofScore %s of coalition %s must be finite and >= 0".formatted(proofScore, id));
      }
      members = List.copyOf(Objects.requireNonNull(members, "members"));
      if (members.isEmpty()) {
        throw new IllegalArgumentException("coalition %s has no members".formatted(id));
      }
      Set<Address> seen = new HashSet<>();
      for (Member m : members) {
        if (!seen.add(m.address())) {
          throw new IllegalArgumentException(
              "coalition %s lists member %s twice".formatted(id, m.address()));
        }
      }
    }

    /**
     * The member who signs when this coalition is drawn: the highest member score, ties broken by
     * the lowest address.
     *
     * @return the signer's address
     */
    public Address signer() {
      return members.stream()
          .min(Comparator.comparingDouble((Member m) -> -m.score()).thenComparing(Member::address))
          .orElseThrow()
          .address();
    }
  }

  /**
   * A coalition member.
   *
   * @param address the member's account
   * @param score its proof score {@code PS_Si}, finite and 0 or more; the highest signs
   * @param rewardWeight its share of the mining reward, finite and 0 or more (e.g. its Shapley
   *     value, Moniruzzaman Eq. 3.3); the reward is split in proportion to these weights
   */
  record Member(Address address, double score, double rewardWeight) {
    public Member {
      Objects.requireNonNull(address, "address");
      if (!Double.isFinite(score) || score < 0) {
        throw new IllegalArgumentException(
            "score %s of member %s must be finite and >= 0".formatted(score, address));
      }
      if (!Double.isFinite(rewardWeight) || rewardWeight < 0) {
        throw new IllegalArgumentException(
            "rewardWeight %s of member %s must be finite and >= 0"
                .formatted(rewardWeight, address));
      }
    }
  }
}
