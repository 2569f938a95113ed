package loadgen

import (
	"fmt"
	"math/rand/v2"
)

// Mix is the share of the ratings each channel collects. DefaultMix is the demo history's
// (seeds/demohistory: window 45 %, mobile 25 %, pc 20 %, kiosk 10 %).
type Mix struct {
	Window, Mobile, PC, Kiosk float64
}

// DefaultMix is the channel mix of the demo history (and its test).
var DefaultMix = Mix{Window: 0.45, Mobile: 0.25, PC: 0.20, Kiosk: 0.10}

// Kiosk uploads carry KioskBatchMin to KioskBatchMax records (uniformly): a kiosk back online
// uploads what it buffered.
const (
	KioskBatchMin = 2
	KioskBatchMax = 10
)

// kioskBatchMean is the mean records of an upload.
const kioskBatchMean = (KioskBatchMin + KioskBatchMax) / 2.0

// Kind is what one request of the load does.
type Kind string

// The kinds of request: a new rating on a channel, or a repeat of one already acknowledged.
const (
	KindWindow Kind = "window"
	KindMobile Kind = "mobile"
	KindPC     Kind = "pc"
	KindKiosk  Kind = "kiosk"
	KindRepeat Kind = "repeat"
)

// Plan draws the requests of a load: reproducible for a seed, and the same whatever order the
// requests are sent in (each request draws from its own generator).
type Plan struct {
	Seed   uint64
	Mix    Mix
	Bad    float64 // the share of new ratings that are bad (level 1 or 2)
	Repeat float64 // the share of requests that repeat an acknowledged rating
	// per-request weights of the channels: a kiosk upload holds several ratings, so it is
	// drawn as often as its ratings' share divided by the mean batch.
	weights [4]float64
}

// NewPlan checks the shares and returns the plan.
func NewPlan(seed uint64, mix Mix, bad, repeat float64) (*Plan, error) {
	total := mix.Window + mix.Mobile + mix.PC + mix.Kiosk
	switch {
	case mix.Window < 0 || mix.Mobile < 0 || mix.PC < 0 || mix.Kiosk < 0 || total <= 0:
		return nil, fmt.Errorf("channel mix %+v: shares must be ≥ 0 and not all 0", mix)
	case bad < 0 || bad > 1:
		return nil, fmt.Errorf("--bad %v: want a share from 0 to 1", bad)
	case repeat < 0 || repeat >= 1:
		return nil, fmt.Errorf("--repeat %v: want a share from 0 to below 1", repeat)
	}
	p := &Plan{Seed: seed, Mix: mix, Bad: bad, Repeat: repeat}
	p.weights = [4]float64{mix.Window, mix.Mobile, mix.PC, mix.Kiosk / kioskBatchMean}
	return p, nil
}

// Request is one drawn request: its kind, and for a new rating the ratings it carries.
type Request struct {
	I       int
	Kind    Kind
	Ratings []Rating // one, or a kiosk's batch; none for a repeat
	// Pick chooses, for a repeat, which acknowledged rating (Pick mod their number) and how:
	// even, the same request again (the device lost the answer); odd, on the portal.
	Pick uint64
}

// Rating is what a citizen gave.
type Rating struct {
	Level   int
	Reasons []string
	Bad     bool
}

// The 现场 reasons (seeds/org.yaml): the load's cases are all handled in the city hall, so
// their ratings take this set on every channel.
var offlineReasons = []string{"overall", "efficiency", "quality", "attitude", "environment"}

// Draw returns request i.
func (p *Plan) Draw(i int) Request {
	r := rand.New(rand.NewPCG(p.Seed, uint64(i)))
	req := Request{I: i}
	if r.Float64() < p.Repeat {
		req.Kind, req.Pick = KindRepeat, r.Uint64()
		return req
	}
	req.Kind = p.kind(r.Float64())
	n := 1
	if req.Kind == KindKiosk {
		n = KioskBatchMin + r.IntN(KioskBatchMax-KioskBatchMin+1)
	}
	for range n {
		req.Ratings = append(req.Ratings, p.rating(r))
	}
	return req
}

func (p *Plan) kind(u float64) Kind {
	kinds := [4]Kind{KindWindow, KindMobile, KindPC, KindKiosk}
	total := p.weights[0] + p.weights[1] + p.weights[2] + p.weights[3]
	acc := 0.0
	for k, w := range p.weights {
		acc += w / total
		if u < acc {
			return kinds[k]
		}
	}
	return KindWindow
}

func (p *Plan) rating(r *rand.Rand) Rating {
	if r.Float64() < p.Bad {
		reasons := []string{offlineReasons[r.IntN(len(offlineReasons))]}
		return Rating{Level: 1 + r.IntN(2), Reasons: reasons, Bad: true}
	}
	// Of the good ones, most are 非常满意, as in the demo history.
	levels := []int{5, 5, 5, 5, 5, 5, 4, 4, 4, 3}
	return Rating{Level: levels[r.IntN(len(levels))]}
}
