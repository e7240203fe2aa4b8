package dingtalksim

// Everything the simulated company does is drawn from these hashes, so an answer is a pure
// function of the seed and the question: the same seed gives byte-identical answers, and a
// person's day costs nothing until someone asks for it.

// mix is the finaliser of splitmix64: a fast 64-bit hash step with good spread.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hash combines values into one well-mixed 64-bit value.
func hash(vals ...uint64) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, v := range vals {
		h = mix(h ^ mix(v+0x632be59bd9b4e019))
	}
	return h
}

// hashString is FNV-1a over s, mixed.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix(h)
}

// Salts keep the streams drawn for different purposes independent.
const (
	saltDay uint64 = iota + 1
	saltLeave
	saltLeaveLen
	saltHalf
	saltOrg
	saltUser
	saltDept
	saltToken
	saltRequest
	saltProc
	saltDevice
	saltTask
	saltEvidence
)

// rng is a tiny deterministic generator (splitmix64) seeded from a hash.
type rng struct{ s uint64 }

func newRNG(seed uint64) *rng { return &rng{s: seed} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix(r.s)
}

// float returns a uniform value in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// intn returns a uniform value in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns a uniform value in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }
