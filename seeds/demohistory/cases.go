package demohistory

import (
	"strconv"
	"sync/atomic"

	"haochaping/evaluation"
)

// Constants of the rows, boxed once.
var (
	anyComplete   any = "complete"
	anyPerson     any = "person"
	anyEnterprise any = "enterprise"
	anyEmpty      any = ""
	anyTrue       any = true
	anyFalse      any = false
)

// caseRows generates a chunk's cases (办件) as a pgx.CopyFromSource of the columns
// evaluation.CaseCopyColumns (the others keep their defaults), one slot at a time: every
// case is completed (stage complete), pushed when accepted and updated when completed, with its
// applicant drawn from the identity pool in case order.
type caseRows struct {
	p       *plan
	ids     *identityPool
	firstID int64 // the first reserved case ID
	cur     cursor
	idx     int64 // index of the next case in the run
	s       slot
	row     []any
	buf     []byte
	sent    *atomic.Int64
}

func newCaseRows(p *plan, ids *identityPool, firstID int64, c chunk, sent *atomic.Int64) *caseRows {
	return &caseRows{p: p, ids: ids, firstID: firstID, cur: newCursor(p, c), idx: c.caseIdx,
		row: make([]any, len(evaluation.CaseCopyColumns)), sent: sent}
}

func (g *caseRows) Next() bool {
	for {
		d, i, ok := g.cur.next()
		if !ok {
			return false
		}
		g.p.decide(d, i, &g.s)
		if g.s.emitCase {
			g.fill()
			g.idx++
			g.sent.Add(1)
			return true
		}
	}
}

func (g *caseRows) fill() {
	s := &g.s
	id := g.firstID + g.idx
	// DEMO- and the reserved ID: unique, and short, since the CHECK on case_no runs a regular
	// expression whose cost grows with the length (a few microseconds a row).
	g.buf = strconv.AppendInt(append(g.buf[:0], "DEMO-"...), id, 10)
	who := g.ids.get(g.idx)
	r := g.row
	r[0], r[1], r[2], r[3], r[4] = id, string(g.buf), s.item.idAny, s.region.idAny, s.dept.idAny
	r[5], r[6], r[7] = s.hall, windowID(s.window), staffID(s.staff)
	r[8] = channelAny[s.ch]
	if s.enterprise {
		r[9], r[10], r[11] = anyEnterprise, who.entNameEnc, who.entNameMasked
		r[15], r[16] = nil, nil
	} else {
		r[9], r[10], r[11] = anyPerson, who.nameEnc, who.nameMasked
		r[15], r[16] = who.idEnc, who.idIndex
	}
	if s.phone {
		r[12], r[13], r[14] = who.phoneEnc, who.phoneMasked, who.phoneIndex
	} else {
		r[12], r[13], r[14] = nil, anyEmpty, nil
	}
	created := s.accepted + 800*1000
	r[17], r[18], r[19] = toTime(s.accepted), toTime(s.served), anyComplete
	r[20], r[21] = toTime(min(created, s.served)), toTime(min(s.served+1500*1000, max(g.p.end, s.served)))
}

func (g *caseRows) Values() ([]any, error) { return g.row, nil }
func (g *caseRows) Err() error             { return nil }

func windowID(w *orgWindow) any {
	if w == nil {
		return nil
	}
	return w.idAny
}

func staffID(s *orgStaff) any {
	if s == nil {
		return nil
	}
	return s.idAny
}
