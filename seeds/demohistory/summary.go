package demohistory

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Summary is what a load put in the database, counted while generating it.
type Summary struct {
	Seed     int64
	Days     int
	From, To time.Time // the period's first and last day
	End      time.Time // the last instant of the history (Beijing time)

	Evaluations  int64
	ByChannel    map[string]int64
	Active       int64
	Defaults     int64
	RealName     int64
	TicketVisits int64 // window ratings without a case
	Bad          int64
	Regions      []RegionSummary

	Cases         int64
	PendingCases  int64 // completed in the last days, not rated yet
	Outbox        int64
	WorkOrders    int64
	Events        int64
	Notifications int64
	Reported      int64            // evaluations whose report the provincial platform acknowledged in the history
	States        map[string]int64 // work orders by state at the end
	// Work orders whose callback or rectification passed its deadline undone (marked overdue).
	CallbackOverdue, RectifyOverdue int64

	// WindowDaily is the window ratings per window and working day: above about a hundred, more
	// than a counter serves, the 刷好评 watch sees bursts of top ratings.
	WindowDaily float64

	Identities int // sealed applicants in the pool
	// ForeignKeysChecked: the triggers stayed on (asked for, or the role may not skip them), so
	// PostgreSQL checked every reference (slower).
	ForeignKeysChecked bool
	RolledUp           bool // the rollup counted every evaluation
	Timings            struct{ Plan, Identities, Copy, Rollups, Total time.Duration }
}

// RegionSummary is a region's active share (主动评价率).
type RegionSummary struct {
	Code, Name          string
	Evaluations, Active int64
	Share               float64
	Target              float64 // the story's share, averaged over the period
}

func (s *Summary) fill(p *plan, c *copier) {
	t := c.evalTally
	s.ByChannel = map[string]int64{}
	for ch, n := range t.byChannel {
		s.ByChannel[channelNames[ch]] = n
		s.Evaluations += n
	}
	s.Active, s.Defaults, s.RealName, s.TicketVisits, s.Bad = t.active, t.defaults, t.realName, t.tickets, t.bad
	s.PendingCases = s.Cases - (s.Evaluations - s.TicketVisits)
	for _, r := range p.org.regions {
		rt := t.regions[r]
		if rt == nil {
			continue
		}
		rs := RegionSummary{Code: r.code, Name: r.name, Evaluations: rt.total, Active: rt.active,
			Target: (r.active[0] + r.active[1]) / 2}
		if rt.total > 0 {
			rs.Share = float64(rt.active) / float64(rt.total)
		}
		s.Regions = append(s.Regions, rs)
	}
	windows, workdays := 0, 0
	for _, r := range p.org.regions {
		windows += len(r.windows)
	}
	for d := p.startDay; d <= p.endDay; d++ {
		if p.wd.is(d) {
			workdays++
		}
	}
	if windows > 0 && workdays > 0 {
		s.WindowDaily = float64(s.ByChannel["window"]) / float64(windows*workdays)
	}
	s.Outbox, s.WorkOrders, s.Events, s.Notifications = c.loop.outbox, c.loop.workOrders, c.loop.events, c.loop.notifications
	s.States = c.loop.states
	s.CallbackOverdue, s.RectifyOverdue = c.loop.callbackOverdue, c.loop.rectifyOverdue
}

// Rows is every row loaded.
func (s *Summary) Rows() int64 {
	return s.Cases + s.Evaluations + s.Outbox + s.WorkOrders + s.Events + s.Notifications
}

// busyWindow is about the most ratings a window takes in a working day.
const busyWindow = 100

// activeTarget is the work plan's target of the active share (主动评价率, city ≥ 70%).
const activeTarget = 0.70

// Print writes the summary for people.
func (s *Summary) Print(w io.Writer) {
	pct := func(n, of int64) string {
		if of == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
	}
	fmt.Fprintf(w, "demo history: %s evaluations over %d days, %s to %s (until %s), seed %d\n",
		thousands(s.Evaluations), s.Days, s.From.Format(time.DateOnly), s.To.Format(time.DateOnly),
		s.End.Format("2006-01-02 15:04"), s.Seed)
	fmt.Fprintf(w, "\nevaluations by channel:\n")
	for _, ch := range channelNames {
		fmt.Fprintf(w, "  %-7s %12s  %6s\n", ch, thousands(s.ByChannel[ch]), pct(s.ByChannel[ch], s.Evaluations))
	}
	fmt.Fprintf(w, "  active %s (%s), defaults %s, real-name %s of active, window tickets without a case %s\n",
		thousands(s.Active), pct(s.Active, s.Evaluations), thousands(s.Defaults), pct(s.RealName, s.Active),
		thousands(s.TicketVisits))
	fmt.Fprintf(w, "\nactive share by region (主动评价率, target ≥ %.0f%%):\n", 100*activeTarget)
	for _, r := range s.Regions {
		mark := ""
		if r.Share < activeTarget {
			mark = "  below target"
		}
		fmt.Fprintf(w, "  %s %-6s %6.1f%%  of %12s%s\n", r.Code, r.Name, 100*r.Share, thousands(r.Evaluations), mark)
	}
	fmt.Fprintf(w, "\nbad reviews: %s (%s of active), each with its outbox row and work order; work orders by state:\n",
		thousands(s.Bad), pct(s.Bad, s.Active))
	states := make([]string, 0, len(s.States))
	for st := range s.States {
		states = append(states, st)
	}
	sort.Slice(states, func(a, b int) bool {
		na, nb := s.States[states[a]], s.States[states[b]]
		return na > nb || (na == nb && states[a] < states[b])
	})
	var parts []string
	for _, st := range states {
		parts = append(parts, fmt.Sprintf("%s %s", st, thousands(s.States[st])))
	}
	fmt.Fprintf(w, "  %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(w, "  overdue: callback %s, rectification %s\n", thousands(s.CallbackOverdue), thousands(s.RectifyOverdue))
	fmt.Fprintf(w, "\nrows: cases %s (%s awaiting a rating), evaluations %s, outbox %s, work orders %s, events %s, notifications %s\n",
		thousands(s.Cases), thousands(s.PendingCases), thousands(s.Evaluations), thousands(s.Outbox),
		thousands(s.WorkOrders), thousands(s.Events), thousands(s.Notifications))
	fmt.Fprintf(w, "upward report: %s evaluations acknowledged by the provincial platform in the history; the rest go with the next upward_report run\n",
		thousands(s.Reported))
	checks := "skipped during the load (session_replication_role = replica; references come from the organisation and reserved IDs)"
	if s.ForeignKeysChecked {
		checks = "checked by PostgreSQL (slower)"
	}
	fmt.Fprintf(w, "foreign keys: %s\n", checks)
	if s.WindowDaily > busyWindow {
		fmt.Fprintf(w, "note: %.0f window ratings per window and working day, more than a counter serves: the 刷好评 watch "+
			"will flag bursts of top ratings (keep under about %d a day for a demo)\n", s.WindowDaily, busyWindow)
	}
	if !s.RolledUp {
		fmt.Fprintf(w, "rollups: some evaluations wait for transactions still open on the server; the rollups job will count them\n")
	}
	copySecs := s.Timings.Copy.Seconds()
	fmt.Fprintf(w, "\ntime: %s in all — plan %s, identities %s (%s sealed), COPY %s (%s evaluations/s, %s rows/s), rollups %s\n",
		round(s.Timings.Total), round(s.Timings.Plan), round(s.Timings.Identities), thousands(int64(s.Identities)),
		round(s.Timings.Copy), thousands(int64(float64(s.Evaluations)/max(copySecs, 1e-9))),
		thousands(int64(float64(s.Rows())/max(copySecs, 1e-9))), round(s.Timings.Rollups))
}

func round(d time.Duration) time.Duration {
	if d > 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
