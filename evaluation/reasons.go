package evaluation

import (
	"context"
	"errors"
	"fmt"
	"haochaping/internal/problem"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ReasonKind selects a reason set: online (网上服务) or offline (现场服务).
type ReasonKind string

// The reason kinds.
const (
	Online  ReasonKind = "online"
	Offline ReasonKind = "offline"
)

// Reason is one 评价指标 a citizen can name.
type Reason struct {
	Kind ReasonKind `json:"kind"`
	Code string     `json:"code"`
	Name string     `json:"name"`
}

// ReasonSet is one version of the national reason lists.
type ReasonSet struct {
	Version int
	byKind  map[ReasonKind]map[string]string // code or name → code
	list    []Reason
}

// Resolve maps what a device sent (a code such as "attitude", or a name such as "服务态度")
// to the reason code, for the given kind.
func (s *ReasonSet) Resolve(kind ReasonKind, v string) (string, bool) {
	code, ok := s.byKind[kind][strings.TrimSpace(v)]
	return code, ok
}

// List returns every reason of the set.
func (s *ReasonSet) List() []Reason { return s.list }

// Names are the reasons' names for their codes, as people read them; a code the set does not
// know (of an older version) stays as it is.
func (s *ReasonSet) Names(codes []string) []string { return namesOf(s.list, codes) }

// namesOf names codes from list.
func namesOf(list []Reason, codes []string) []string {
	names := make([]string, 0, len(codes))
	for _, c := range codes {
		name := c
		for _, r := range list {
			if r.Code == c {
				name = r.Name
				break
			}
		}
		names = append(names, name)
	}
	return names
}

// reasonCache keeps the current reason set, reloading it at most once a minute so that a new
// version takes effect without a restart.
type reasonCache struct {
	pool   *pgxpool.Pool
	mu     sync.Mutex
	set    *ReasonSet
	loaded time.Time
}

func (c *reasonCache) current(ctx context.Context) (*ReasonSet, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set != nil && time.Since(c.loaded) < time.Minute {
		return c.set, nil
	}
	set, err := loadReasonSet(ctx, c.pool)
	if err != nil {
		if c.set != nil {
			return c.set, nil // a stale list is better than refusing ratings
		}
		return nil, err
	}
	c.set, c.loaded = set, time.Now()
	return set, nil
}

func loadReasonSet(ctx context.Context, pool *pgxpool.Pool) (*ReasonSet, error) {
	rows, err := pool.Query(ctx, `
		SELECT r.version, r.kind, r.code, r.name
		FROM reasons r
		WHERE r.version = (SELECT max(version) FROM reason_set_versions WHERE effective_from <= now())
		ORDER BY r.kind, r.position`)
	if err != nil {
		return nil, fmt.Errorf("load reasons: %w", err)
	}
	defer rows.Close()
	version := 0
	var list []Reason
	for rows.Next() {
		var r Reason
		if err := rows.Scan(&version, &r.Kind, &r.Code, &r.Name); err != nil {
			return nil, fmt.Errorf("load reasons: %w", err)
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load reasons: %w", err)
	}
	if version == 0 {
		return nil, fmt.Errorf("load reasons: no reason set is in effect (run `haochaping seed`)")
	}
	return NewReasonSet(version, list), nil
}

// NewReasonSet builds a reason set from a list, as loadReasonSet does from the database.
func NewReasonSet(version int, reasons []Reason) *ReasonSet {
	set := &ReasonSet{Version: version, byKind: map[ReasonKind]map[string]string{Online: {}, Offline: {}}}
	for _, r := range reasons {
		set.byKind[r.Kind][r.Code] = r.Code
		set.byKind[r.Kind][r.Name] = r.Code
		set.list = append(set.list, r)
	}
	return set
}

// Of returns the reasons of one kind, in their order.
func (s *ReasonSet) Of(kind ReasonKind) []Reason {
	out := []Reason{}
	for _, r := range s.list {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// KindName is the Chinese name of a reason set: 现场服务 or 网上服务.
func KindName(k ReasonKind) string { return kindName(k) }

// ReasonKindOfCase is the reason set that applies to a case, by how its service was delivered
// (the reason set follows the service, not the device that collects the rating). Give the
// case's number, or its id (from an evaluation link).
func (s *Service) ReasonKindOfCase(ctx context.Context, caseNo string, caseID int64) (ReasonKind, error) {
	var ch Channel
	err := s.db.Pool.QueryRow(ctx, `SELECT source_channel FROM cases WHERE case_no = $1 OR id = $2`, caseNo, caseID).Scan(&ch)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", problem.Invalid("case_not_found", "case_no", "办件不存在：请确认办件编号")
	}
	if err != nil {
		return "", fmt.Errorf("reason set of case: %w", err)
	}
	return ReasonKindOf(ch), nil
}
