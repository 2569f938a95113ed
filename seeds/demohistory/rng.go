package demohistory

import (
	"hash/fnv"
	"math"
)

// rng is a SplitMix64 generator: a value, no allocation, and cheap to seed, so that every slot
// can have a stream of its own (what makes the COPY streams independent and the history
// deterministic). Not for anything secret.
type rng struct{ s uint64 }

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// The streams of a slot: its decisions (shared by every COPY stream), the details of its rows,
// and the bad-review loop. Separate streams keep a change in one from shifting the others.
const (
	streamDecide uint64 = iota + 1
	streamDetail
	streamLoop
	streamIdentity
	streamUnit
	streamWhen
)

// newRNG seeds a stream from the run's seed and up to two coordinates (day and slot).
func newRNG(seed uint64, stream uint64, a, b uint64) rng {
	s := mix64(seed + 0x9E3779B97F4A7C15*stream)
	s = mix64(s ^ (a + 0x632BE59BD9B4E019))
	s = mix64(s ^ (b + 0x85157AF5))
	return rng{s: s}
}

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	return mix64(r.s)
}

// float is uniform in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// intn is uniform in [0, n), n > 0.
func (r *rng) intn(n int) int { return int(((r.next() >> 32) * uint64(n)) >> 32) }

// between is uniform in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

func (r *rng) chance(p float64) bool { return r.float() < p }

// pick draws an index from cumulative weights (the last one is the total).
func (r *rng) pick(cum []float64) int {
	x := r.float() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// normal is a standard normal draw (Box–Muller).
func (r *rng) normal() float64 {
	u := 1 - r.float() // (0, 1]
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.float())
}

// cumulative turns weights into the cumulative form pick wants.
func cumulative(weights []float64) []float64 {
	out := make([]float64, len(weights))
	sum := 0.0
	for i, w := range weights {
		sum += max(w, 0)
		out[i] = sum
	}
	return out
}

// codeHash is a stable number for a code (a unit's quality draw must not depend on IDs, which
// differ between schemas).
func codeHash(code string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(code))
	return h.Sum64()
}
