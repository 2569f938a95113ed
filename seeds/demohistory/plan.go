package demohistory

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"haochaping/calendar"
)

// planDay is a day of services. The plan covers the period's days and the days before it whose
// defaults are rated in it (a service on the day before the period is defaulted, unrated, at the
// end of its 7-day window — inside the period).
type planDay struct {
	day      int64 // Beijing day number
	start    int64 // its first instant
	date     any   // the day as a date (service_day), boxed
	work     bool
	progress float64 // position in the period: 0 on its first day, 1 on its last (for trends)
	chanCum  [numChannels]float64
	weight   float64 // volume of services
	target   int     // evaluations that this day's services give
	slots    int     // slots walked to give them
	cases    int
}

// pos is a slot's place: a day (index into plan.days) and its number in the day.
type pos struct{ day, slot int }

// chunk is a run of slots loaded in one transaction per stream; it knows how many cases,
// evaluations and work orders come before it, which gives its rows their reserved IDs.
type chunk struct {
	from, to                pos
	caseIdx, evalIdx, woIdx int64
	cases, evals, wos       int
}

// plan is the whole history, decided but not generated.
type plan struct {
	story    *Story
	org      *org
	seed     uint64
	wd       *workdays
	cal      *calendar.Calendar
	start    int64 // first instant of the period
	end      int64 // last instant: the end of --end's day, or now
	startDay int64
	endDay   int64
	days     []planDay
	// caseFrac is the share of services that are cases (all but ticket visits): defaults come
	// only from cases, so a region's default rate is its inactive share over caseFrac.
	caseFrac              float64
	realName, chanQuality [numChannels]float64

	chunks       []chunk
	cases, evals int64
	wos          int64
	maxDayCases  int
	showcaseFrom int64 // work orders received from then on may be held in an open state
}

// The period must lie in the years whose working days the seed writes to calendar_days, which
// the rectification measures read (seeds/calendar.go).
const firstYear, lastYear = 2018, 2035

func newPlan(o *org, story *Story, cal *calendar.Calendar, seed uint64, evaluations, days int, endDay, now int64, chunkSize int) (*plan, error) {
	p := &plan{story: story, org: o, seed: seed, cal: cal, endDay: endDay, startDay: endDay - int64(days) + 1}
	p.start = dayStart(p.startDay)
	p.end = min(now, dayStart(endDay+1)-1)
	if p.end < p.start {
		return nil, errors.New("the period ends before it starts (is --end in the future?)")
	}
	if y := dayDate(p.startDay).Year(); y < firstYear {
		return nil, fmt.Errorf("the period starts in %d: the working-day calendar covers %d to %d", y, firstYear, lastYear)
	}
	if y := dayDate(endDay + 60).Year(); y > lastYear {
		return nil, fmt.Errorf("the period ends too late: the working-day calendar covers %d to %d", firstYear, lastYear)
	}
	maxWindow := 1
	for _, r := range o.regions {
		maxWindow = max(maxWindow, r.ratingDays)
	}
	first := p.startDay - int64(maxWindow)
	p.wd = newWorkdays(cal, first-10, endDay+120)
	p.caseFrac = 1 - story.ChannelMix["window"]*story.TicketOnly
	for c, name := range channelNames {
		p.realName[c] = story.RealName[name]
		p.chanQuality[c] = story.ChannelQuality[name]
	}

	// Volume per day and channel: working days by weekday, weekends thin at the halls, a slow
	// growth. The channels' base weights are set so that the period's mix is the story's.
	factor := func(c int, d int64, progress float64) float64 {
		hall := c == chWindow || c == chKiosk
		f := 1.0
		switch wk := dayDate(d).Weekday(); {
		case !p.wd.is(d) && hall:
			f = story.WeekendHall
		case !p.wd.is(d):
			f = story.WeekendOnline
		case wk >= time.Monday && wk <= time.Friday:
			f = story.Weekday[wk-time.Monday]
		}
		return f * (1 + story.Growth*progress)
	}
	progress := func(d int64) float64 {
		if days <= 1 {
			return 1
		}
		return min(max(float64(d-p.startDay)/float64(days-1), 0), 1)
	}
	var sums [numChannels]float64
	for d := p.startDay; d <= endDay; d++ {
		for c := range numChannels {
			sums[c] += factor(c, d, progress(d))
		}
	}
	var base [numChannels]float64
	for c, name := range channelNames {
		if sums[c] > 0 {
			base[c] = story.ChannelMix[name] / sums[c]
		}
	}
	totalVol := o.regionCum[len(o.regionCum)-1]
	weights := make([]float64, 0, endDay-first+1)
	for d := first; d <= endDay; d++ {
		pd := planDay{day: d, start: dayStart(d), date: dayDate(d), work: p.wd.is(d), progress: progress(d)}
		var w [numChannels]float64
		for c := range numChannels {
			w[c] = base[c] * factor(c, d, pd.progress)
			pd.weight += w[c]
		}
		copy(pd.chanCum[:], cumulative(w[:]))
		weights = append(weights, pd.weight*p.yield(&pd, w, totalVol))
		p.days = append(p.days, pd)
	}
	for i, t := range apportion(evaluations, weights) {
		p.days[i].target = t
	}
	if err := p.walk(chunkSize); err != nil {
		return nil, err
	}
	// The showcase begins ShowcaseAge working days before the end.
	d, n := endDay, 0
	for n < story.Loop.ShowcaseAge {
		d--
		if p.wd.is(d) {
			n++
		}
	}
	p.showcaseFrom = max(dayStart(d), p.start)
	return p, nil
}

// yield estimates the share of a day's slots that give an evaluation in the period, so that
// evaluations are spread like services: every slot of a day inside the period, less the
// defaults not yet due at the end; before the period, only the defaults that fall in it.
func (p *plan) yield(pd *planDay, chanW [numChannels]float64, totalVol float64) float64 {
	served := pd.day >= p.startDay
	y := 0.0
	for _, r := range p.org.regions {
		active := r.active[0] + (r.active[1]-r.active[0])*pd.progress
		def := min(max((1-active)/p.caseFrac, 0), 0.95) * p.caseFrac
		due := ratingDeadline(pd.start, r.ratingDays)
		ry := 0.0
		if served {
			ry = 1 - def
		}
		if due >= p.start && due <= p.end {
			ry += def
		}
		y += ry * r.volume / totalVol
	}
	if pd.day == p.endDay {
		// Only the part of the last day before the end.
		var f, sum float64
		for c := range numChannels {
			prof := online
			switch {
			case c == chWindow && pd.work:
				prof = hallWorkday
			case c == chWindow:
				prof = hallWeekend
			case c == chKiosk && pd.work:
				prof = kioskWorkday
			case c == chKiosk:
				prof = kioskWeekend
			}
			f += chanW[c] * prof.before(p.end-pd.start)
			sum += chanW[c]
		}
		if sum > 0 {
			y *= f / sum
		}
	}
	return y
}

// apportion splits n by weights into integers that add up to n (largest remainders).
func apportion(n int, weights []float64) []int {
	out := make([]int, len(weights))
	total := 0.0
	for _, w := range weights {
		total += w
	}
	if total <= 0 {
		return out
	}
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(weights))
	given := 0
	for i, w := range weights {
		exact := float64(n) * w / total
		out[i] = int(exact)
		given += out[i]
		rems[i] = rem{i, exact - float64(out[i])}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; given < n; k++ {
		out[rems[k%len(rems)].i]++
		given++
	}
	return out
}

// walk decides every slot once, day by day, until each day has given its evaluations: this
// fixes how many slots each day has, and where the chunks begin with how many rows before them.
func (p *plan) walk(chunkSize int) error {
	var s slot
	cur := chunk{}
	closeChunk := func(at pos) {
		cur.to = at
		p.chunks = append(p.chunks, cur)
		cur = chunk{from: at, caseIdx: p.cases, evalIdx: p.evals, woIdx: p.wos}
	}
	for d := range p.days {
		pd := &p.days[d]
		limit := 200*pd.target + 10_000
		i := 0
		for given := 0; given < pd.target; i++ {
			if i > limit {
				return fmt.Errorf("day %s: %d slots gave only %d of %d evaluations", dayDate(pd.day).Format(time.DateOnly),
					i, given, pd.target)
			}
			p.decide(d, i, &s)
			if s.emitCase {
				cur.cases++
				pd.cases++
				p.cases++
			}
			if s.emitEval {
				given++
				cur.evals++
				p.evals++
			}
			if s.bad {
				cur.wos++
				p.wos++
			}
			if cur.evals >= chunkSize {
				closeChunk(pos{d, i + 1})
			}
		}
		pd.slots = i
		p.maxDayCases = max(p.maxDayCases, pd.cases)
	}
	if cur.evals > 0 || cur.cases > 0 || len(p.chunks) == 0 {
		closeChunk(pos{len(p.days), 0})
	}
	return nil
}

// cursor walks the slots of a chunk: day by day, and within a day in the order of the services'
// times. IDs follow that order, so the indexes on times (and on IDs and keys made of them) grow
// at their right end, where PostgreSQL inserts fastest; every stream walks the same order.
type cursor struct {
	p     *plan
	c     chunk
	d     int
	order []slotTime // the current day's slots of the chunk, by time
	k     int
}

type slotTime struct {
	at   int64
	slot int32
}

func newCursor(p *plan, c chunk) cursor { return cursor{p: p, c: c, d: c.from.day - 1} }

// next returns the next slot's day and number, or false after the chunk's last.
func (k *cursor) next() (int, int, bool) {
	for k.k >= len(k.order) {
		k.d++
		if k.d >= len(k.p.days) || k.d > k.c.to.day || (k.d == k.c.to.day && k.c.to.slot == 0) {
			return 0, 0, false
		}
		from, to := 0, k.p.days[k.d].slots
		if k.d == k.c.from.day {
			from = k.c.from.slot
		}
		if k.d == k.c.to.day {
			to = min(to, k.c.to.slot)
		}
		k.order, k.k = k.order[:0], 0
		for i := from; i < to; i++ {
			_, at := k.p.when(k.d, i)
			k.order = append(k.order, slotTime{at, int32(i)})
		}
		slices.SortFunc(k.order, func(a, b slotTime) int {
			if c := cmp.Compare(a.at, b.at); c != 0 {
				return c
			}
			return cmp.Compare(a.slot, b.slot)
		})
	}
	st := k.order[k.k]
	k.k++
	return k.d, int(st.slot), true
}
