package demohistory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"haochaping/calendar"
	"haochaping/evaluation"
	"haochaping/internal/bjtime"
	"haochaping/internal/database"
	"haochaping/internal/pii"
	"haochaping/upward"
)

// Options say what history to load.
type Options struct {
	Evaluations int       // how many evaluations (exactly)
	Days        int       // over how many days, ending with End
	Seed        int64     // the same seed (with the same end and organisation) gives the same history
	End         time.Time // the last day (a date: its Beijing calendar day counts); zero: today
	// Now is the clock: the history stops at now when End is today. Default time.Now.
	Now func() time.Time
	// RatingDays is the evaluation window of regions without a setting of their own
	// (HAOCHAPING_EVALUATION_WINDOW_DAYS, 7).
	RatingDays int
	// ChunkSize is how many evaluations a transaction of each stream carries (default 50,000).
	ChunkSize int
	// AllowExisting loads even when a demo history is already there (another, alongside).
	AllowExisting bool
	// CheckReferences keeps the triggers on, so that PostgreSQL checks every foreign key (and
	// the outbox wakes the relay) even for a role that could skip them: slower, for a database
	// in use.
	CheckReferences bool
	// Progress receives the progress bar (stderr); nil: none.
	Progress io.Writer
	// Story shapes the history; nil: DefaultStory().
	Story *Story
	// RollupWait bounds how long the rollup may wait for transactions still open elsewhere on
	// the server before counting the last evaluations (default 2 minutes; the rollups job counts
	// whatever is left).
	RollupWait time.Duration
}

// Limits of a load: the benchmark loads ten million; beyond a hundred million, or ten years,
// something is wrong with the flags.
const (
	MaxEvaluations = 100_000_000
	MaxDays        = 3660
)

// ErrExists is returned when the schema holds a demo history already.
var ErrExists = errors.New("a demo history is loaded already (cases numbered DEMO-…): load into a fresh schema, or force it")

// Loader loads demo histories into the schema of DB.
type Loader struct {
	DB   *database.DB
	Keys *pii.Keys
	Log  *slog.Logger
}

// Load generates the history and loads it, then runs the rollups so that the dashboard is ready.
// It returns what it loaded. A load that fails half-way leaves the chunks it committed (their
// rows are recognisable by DEMO- and demo:): load into a schema of its own.
func (l *Loader) Load(ctx context.Context, o Options) (*Summary, error) {
	began := time.Now()
	if err := o.normalise(); err != nil {
		return nil, err
	}
	log := l.logger()
	if !o.AllowExisting {
		var exists bool
		if err := l.DB.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cases
			WHERE case_no >= 'DEMO-' AND case_no < 'DEMO.' AND case_no LIKE 'DEMO-%')`).Scan(&exists); err != nil {
			return nil, fmt.Errorf("look for a demo history: %w", err)
		}
		if exists {
			return nil, ErrExists
		}
	}
	seed := uint64(o.Seed)
	o2, err := loadOrg(ctx, l.DB.Pool, o.Story, seed, o.RatingDays)
	if err != nil {
		return nil, err
	}
	now := o.Now()
	endDay := bjDay(now.UnixMicro())
	if !o.End.IsZero() {
		endDay = dayOf(o.End)
	}
	p, err := newPlan(o2, o.Story, calendar.Default(), seed, o.Evaluations, o.Days, endDay, now.UnixMicro(), o.ChunkSize)
	if err != nil {
		return nil, err
	}
	sum := &Summary{Seed: o.Seed, Days: o.Days, From: dayDate(p.startDay), To: dayDate(p.endDay),
		End: toTime(p.end).In(bjtime.Location), Cases: p.cases, WorkOrders: p.wos}
	sum.Timings.Plan = time.Since(began)
	log.Info("demo: planned", "evaluations", p.evals, "cases", p.cases, "work_orders", p.wos, "chunks", len(p.chunks),
		"took", sum.Timings.Plan)

	t := time.Now()
	ids := newIdentityPool(l.Keys, seed, poolSize(p.maxDayCases))
	sum.Identities = len(ids.ids)
	sum.Timings.Identities = time.Since(t)

	skip := false
	if !o.CheckReferences {
		if skip, err = canSkipTriggers(ctx, l.DB.Pool); err != nil {
			return nil, fmt.Errorf("set session_replication_role: %w", err)
		}
	}
	sum.ForeignKeysChecked = !skip
	// The history's months are in the past: made now, its rows go straight into them.
	if _, err := evaluation.MakePartitionsFor(ctx, l.DB.Pool, dayDate(p.days[0].day), dayDate(p.endDay)); err != nil {
		return nil, err
	}
	res, err := reserve(ctx, l.DB.Pool, p.cases, p.evals, p.wos)
	if err != nil {
		return nil, err
	}

	t = time.Now()
	m := &meter{}
	bar := startProgress(o.Progress, p.evals, m)
	c := &copier{pool: l.DB.Pool, p: p, ids: ids, res: res, skipTriggers: skip, meter: m, log: log}
	err = c.run(ctx)
	bar.finish()
	sum.Timings.Copy = time.Since(t)
	if err != nil {
		return nil, fmt.Errorf("load the demo history (the chunks committed so far stay): %w", err)
	}
	sum.fill(p, c)

	// The report to the provincial platform ran all along, as the rest of the loop did.
	if sum.Reported, err = upward.SeedHistory(ctx, l.DB, toTime(p.end), skip, evaluation.MarkAcknowledgedEach); err != nil {
		return sum, err
	}
	var reportTx int64
	if err := l.DB.Pool.QueryRow(ctx, `SELECT txid_current()`).Scan(&reportTx); err != nil {
		return sum, fmt.Errorf("the report's history: %w", err)
	}

	t = time.Now()
	if err := l.rollUp(ctx, p, &o, max(c.maxTxid, reportTx), sum); err != nil {
		return sum, err
	}
	sum.Timings.Rollups = time.Since(t)
	sum.Timings.Total = time.Since(began)
	return sum, nil
}

func (l *Loader) logger() *slog.Logger {
	if l.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.Log
}

func (o *Options) normalise() error {
	switch {
	case o.Evaluations < 1 || o.Evaluations > MaxEvaluations:
		return fmt.Errorf("evaluations must be between 1 and %d", MaxEvaluations)
	case o.Days < 1 || o.Days > MaxDays:
		return fmt.Errorf("days must be between 1 and %d", MaxDays)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RatingDays <= 0 {
		o.RatingDays = 7
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = 50_000
	}
	if o.Story == nil {
		o.Story = DefaultStory()
	}
	if o.RollupWait <= 0 {
		o.RollupWait = 2 * time.Minute
	}
	if !o.End.IsZero() && dayOf(o.End) > bjDay(o.Now().UnixMicro()) {
		return fmt.Errorf("the end %s is in the future", o.End.Format(time.DateOnly))
	}
	return nil
}
