package demohistory

import (
	"strconv"
	"sync/atomic"

	"haochaping/evaluation"
)

var (
	levelAny      = [6]any{int16(0), int16(1), int16(2), int16(3), int16(4), int16(5)}
	noReasons any = []string{} // reasons is NOT NULL: an empty array, not NULL
)

// evaluationRows generates a chunk's evaluations as a pgx.CopyFromSource of the columns
// evaluation.EvaluationCopyColumns: txid keeps its default — the writing transaction — so that
// the rollup job counts the rows like any others; score and bad are generated. Each row is what the
// system writes for its channel: a rating of the case's completion (or of a queue ticket),
// attributed like the case, with the evaluator as the channel knows them — the applicant online
// and at kiosks, whoever left a number at a window, the logged-in user on the portal. Defaults
// look like those of the default evaluations job.
type evaluationRows struct {
	p           *plan
	ids         *identityPool
	firstID     int64
	firstCaseID int64
	cur         cursor
	idx         int64 // index of the next evaluation in the run
	caseIdx     int64 // index of the next case: a rated case's ID
	s           slot
	row         []any
	buf         []byte
	sent        *atomic.Int64
	tally       *tally
}

func newEvaluationRows(p *plan, ids *identityPool, firstID, firstCaseID int64, c chunk, sent *atomic.Int64, t *tally) *evaluationRows {
	return &evaluationRows{p: p, ids: ids, firstID: firstID, firstCaseID: firstCaseID, cur: newCursor(p, c),
		idx: c.evalIdx, caseIdx: c.caseIdx, row: make([]any, len(evaluation.EvaluationCopyColumns)), sent: sent, tally: t}
}

func (g *evaluationRows) Next() bool {
	for {
		d, i, ok := g.cur.next()
		if !ok {
			return false
		}
		g.p.decide(d, i, &g.s)
		caseIdx := g.caseIdx
		if g.s.emitCase {
			g.caseIdx++
		}
		if g.s.emitEval {
			g.fill(d, i, caseIdx)
			g.tally.add(&g.s)
			g.idx++
			g.sent.Add(1)
			return true
		}
	}
}

func (g *evaluationRows) fill(day, slotNo int, caseIdx int64) {
	s := &g.s
	p := g.p
	id := g.firstID + g.idx
	r := g.row
	// demo: and the reserved ID: unique, growing with the ID (the unique index on idem_key takes
	// it at its right end), and short (text compares by the locale's collation).
	g.buf = strconv.AppendInt(append(g.buf[:0], "demo:"...), id, 10)
	r[0], r[1], r[2] = id, string(g.buf), channelAny[s.ch]
	r[3] = nil
	if s.active {
		switch s.ch {
		case chWindow:
			r[3] = s.window.device
		case chKiosk:
			r[3] = s.region.kioskDevice
		case chMobile:
			r[3] = p.org.mobileDev
		case chPC:
			r[3] = p.org.pcDev
		}
	}
	var who *identity
	if s.ticket {
		// A visit without a case: the ticket must be unique per window and day. Numbered by the
		// evaluation's reserved ID, it is also unique across histories and beside live tickets.
		g.buf = strconv.AppendInt(append(g.buf[:0], s.window.ticketCh), id, 10)
		r[4], r[5], r[6] = nil, nil, string(g.buf)
		r[13] = nil
		who = g.ids.get(g.idx + int64(len(g.ids.ids)/2))
	} else {
		r[4], r[5], r[6] = g.firstCaseID+caseIdx, anyComplete, nil
		r[13] = s.item.idAny
		who = g.ids.get(caseIdx)
	}
	r[7], r[8], r[9], r[10] = s.day.date, s.region.idAny, s.dept.idAny, s.hall
	r[11], r[12] = windowID(s.window), staffID(s.staff)
	r[14] = levelAny[s.level]
	r[15], r[16], r[17], r[28] = noReasons, nil, anyEmpty, nil
	if s.active {
		r[16] = p.org.reasonVer
		dr := newRNG(p.seed, streamDetail, uint64(day), uint64(slotNo))
		r[15], r[17] = p.reasonsAndComment(s, &dr)
		if s.level <= 2 {
			r[28] = reasonKindAny(s)
		}
	}
	r[18], r[19] = boolAny(s.active), boolAny(s.realName)
	// The evaluator (evaluation.setEvaluator): online and at kiosks the applicant (their name
	// even when anonymous); at a window only someone who left a number.
	r[20], r[21], r[22], r[23], r[24] = nil, anyEmpty, nil, anyEmpty, nil
	switch {
	case !s.active:
	case s.ch == chWindow:
		if s.realName {
			r[20], r[21] = who.nameEnc, who.nameMasked
		}
	case s.ch == chPC || !s.enterprise:
		r[20], r[21] = who.nameEnc, who.nameMasked
	default:
		r[20], r[21] = who.entNameEnc, who.entNameMasked
	}
	if s.realName {
		r[22], r[23], r[24] = who.phoneEnc, who.phoneMasked, who.phoneIndex
	}
	r[25], r[26], r[27] = toTime(s.served), toTime(s.rated), toTime(s.created)
}

func (g *evaluationRows) Values() ([]any, error) { return g.row, nil }
func (g *evaluationRows) Err() error             { return nil }

// reasonKindAny is the reason set of the slot's service: a demo case is handled on the
// channel that rates it (cases.go), and a ticket is a visit to a window.
func reasonKindAny(s *slot) any {
	return string(evaluation.ReasonKindOf(evaluation.Channel(channelAny[s.ch].(string))))
}

func boolAny(b bool) any {
	if b {
		return anyTrue
	}
	return anyFalse
}

// reasonsAndComment draws what an active rating says: a bad review names one or two reasons of
// its channel's set (网上 or 现场) and usually a comment; others sometimes a comment.
func (p *plan) reasonsAndComment(s *slot, r *rng) (any, any) {
	switch {
	case s.level <= 2:
		set := p.org.offline
		if s.ch == chMobile || s.ch == chPC {
			set = p.org.online
		}
		w := make([]float64, len(set))
		for i, code := range set {
			w[i] = reasonWeight[code]
			if w[i] == 0 {
				w[i] = 1
			}
		}
		cum := cumulative(w)
		first := r.pick(cum)
		reasons := []string{set[first]}
		if r.chance(0.35) {
			if second := r.pick(cum); second != first {
				// In the set's order, as a pad lists them.
				if second < first {
					reasons = []string{set[second], set[first]}
				} else {
					reasons = append(reasons, set[second])
				}
			}
		}
		comment := ""
		if r.chance(0.85) {
			list := badComments[reasons[0]]
			if len(list) == 0 {
				list = genericBad
			}
			comment = oneOf(r, list)
		}
		return reasons, comment
	case s.level == 3 && r.chance(0.3):
		return noReasons, oneOf(r, mediumComments)
	case s.level >= 4 && r.chance(0.08):
		return noReasons, oneOf(r, goodComments)
	}
	return noReasons, anyEmpty
}

// tally counts what a stream loaded, for the summary.
type tally struct {
	byChannel [numChannels]int64
	regions   map[*orgRegion]*regionTally
	active    int64
	bad       int64
	realName  int64
	defaults  int64
	tickets   int64
}

type regionTally struct{ total, active int64 }

func newTally() *tally { return &tally{regions: map[*orgRegion]*regionTally{}} }

func (t *tally) add(s *slot) {
	t.byChannel[s.ch]++
	rt := t.regions[s.region]
	if rt == nil {
		rt = &regionTally{}
		t.regions[s.region] = rt
	}
	rt.total++
	if s.active {
		rt.active++
		t.active++
	} else {
		t.defaults++
	}
	if s.bad {
		t.bad++
	}
	if s.realName {
		t.realName++
	}
	if s.ticket {
		t.tickets++
	}
}
