package evaluation

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"haochaping/access"
	"haochaping/internal/database"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The 刷好评 watch (DOMAIN.md, "Evaluation rules": staff must not force or fake ratings; bursts
// of top ratings from one device, one staff member or one phone are flagged for the office).
//
// Rules:
//   - A top rating is an active evaluation at level 5 (非常满意). Defaults (默认评价) are level 5
//     too but nobody gave them, so they never count.
//   - A burst is a run of a subject's top ratings in which every rating lies in some window of
//     the rule's length (inclusive) holding at least the rule's number of top ratings; windows
//     that share a rating are one burst, so a sustained episode makes one flag. Time is the
//     moment of rating (rated_at), not of upload, so that a kiosk uploading a day's batch at
//     once is not a burst.
//   - Subjects: a device — only the pads and kiosks of the halls (channels window and kiosk):
//     the mobile app's and the portal's backends sign every rating of their channel and are
//     no one's device; a staff member, by staff number, over every channel; an evaluator's
//     phone, by its keyed hash (evaluator_phone_index, in hex) — never the phone itself.
//   - A flag's window_start is the rating time of the first rating of the burst, window_end of
//     the last; so re-running finds the same key (kind, subject, window_start) and writes
//     nothing. A burst that goes on, or that late uploads extend, grows the unreviewed flag it
//     overlaps instead of raising a second one. Ratings in a flag the office has reviewed are
//     not flagged again; a burst after the review is a new flag.
//   - A flag's region is the nearest region that contains all its evaluations (a phone may
//     rate in two districts: the city); its department and hall are set when all its
//     evaluations share one, else null.

// Thresholds of the watch. They are constants rather than region settings: a phone's burst
// may cross regions, and one rule city-wide keeps the flags comparable.
const (
	// PraiseBurstRatings top ratings within PraiseBurstWindow from one device or one staff
	// member make a burst: a counter serves one applicant every few minutes at best.
	PraiseBurstRatings = 10
	PraiseBurstWindow  = 10 * time.Minute
	// PraisePhoneRatings top ratings within PraisePhoneWindow from one phone make a burst.
	PraisePhoneRatings = 3
	PraisePhoneWindow  = 24 * time.Hour

	// praiseOverlap re-reads the evaluations created a little before the last run: one
	// committed late, with a created_at before that run, is still seen.
	praiseOverlap = 5 * time.Minute
	// praiseFirstLookback is how far back the first run ever looks.
	praiseFirstLookback = 30 * 24 * time.Hour
)

// Praise flag kinds.
const (
	PraiseDevice = "device"
	PraiseStaff  = "staff"
	PraisePhone  = "phone"
)

type praiseRule struct {
	ratings int
	window  time.Duration
}

var praiseRules = map[string]praiseRule{
	PraiseDevice: {PraiseBurstRatings, PraiseBurstWindow},
	PraiseStaff:  {PraiseBurstRatings, PraiseBurstWindow},
	PraisePhone:  {PraisePhoneRatings, PraisePhoneWindow},
}

type topRating struct {
	id int64
	at time.Time
}

type praiseKey struct{ kind, subject string }

type praiseFlagRow struct {
	id         int64
	start, end time.Time
	ids        []int64
}

// WatchPraise looks for bursts of top ratings among the evaluations created since its last
// run (watermark 'praise_watch' in rollup_state, re-reading praiseOverlap before it), with
// each subject's top ratings around them, and raises or grows praise_flags. It returns how
// many flags it wrote (raised or grown).
func (s *Service) WatchPraise(ctx context.Context) (int64, error) {
	var written int64
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		// Reading the watermark locks it until commit: runs never overlap.
		now := s.Now()
		mark, err := database.TimeWatermark(ctx, tx, "praise_watch")
		if err != nil {
			return err
		}
		since := now.Add(-praiseFirstLookback)
		if !mark.IsZero() {
			since = mark.Add(-praiseOverlap)
		}
		subjects, err := loadTopRatings(ctx, tx, since)
		if err != nil {
			return err
		}
		if len(subjects) > 0 {
			flags, reviewed, err := loadPraiseFlags(ctx, tx, subjects)
			if err != nil {
				return err
			}
			keys := make([]praiseKey, 0, len(subjects))
			for k := range subjects {
				keys = append(keys, k)
			}
			slices.SortFunc(keys, func(a, b praiseKey) int {
				return cmp.Or(strings.Compare(a.kind, b.kind), strings.Compare(a.subject, b.subject))
			})
			for _, k := range keys {
				rs := slices.DeleteFunc(subjects[k], func(r topRating) bool { return reviewed[r.id] })
				rule := praiseRules[k.kind]
				for _, b := range praiseBursts(rs, rule.ratings, rule.window) {
					n, err := writePraiseFlag(ctx, tx, k, b, flags, now)
					if err != nil {
						return err
					}
					written += n
				}
			}
		}
		return database.SetTimeWatermark(ctx, tx, "praise_watch", now)
	})
	return written, err
}

// topRatingsSQL: the subjects of the top ratings created since $1, and each subject's top
// ratings from one window length ($2 seconds for devices and staff, $3 for phones) before the
// first of them to one after the last, so that a burst straddling two runs is seen whole.
const topRatingsSQL = `
WITH fresh AS (
    SELECT e.channel, e.device_id, e.staff_id, e.evaluator_phone_index, e.rated_at
    FROM evaluations e
    WHERE e.created_at >= $1 AND e.level = 5 AND e.active
), dev AS (
    SELECT device_id AS k, min(rated_at) - $2::integer * interval '1 second' AS lo,
           max(rated_at) + $2::integer * interval '1 second' AS hi
    FROM fresh WHERE device_id IS NOT NULL AND channel IN ('window', 'kiosk') GROUP BY device_id
), stf AS (
    SELECT staff_id AS k, min(rated_at) - $2::integer * interval '1 second' AS lo,
           max(rated_at) + $2::integer * interval '1 second' AS hi
    FROM fresh WHERE staff_id IS NOT NULL GROUP BY staff_id
), ph AS (
    SELECT evaluator_phone_index AS k, min(rated_at) - $3::integer * interval '1 second' AS lo,
           max(rated_at) + $3::integer * interval '1 second' AS hi
    FROM fresh WHERE evaluator_phone_index IS NOT NULL GROUP BY evaluator_phone_index
)
SELECT 'device' AS kind, d.k AS subject, e.id, e.rated_at
FROM dev d JOIN evaluations e ON e.device_id = d.k AND e.rated_at BETWEEN d.lo AND d.hi
WHERE e.level = 5 AND e.active AND e.channel IN ('window', 'kiosk')
UNION ALL
SELECT 'staff', s.staff_no, e.id, e.rated_at
FROM stf t JOIN staff s ON s.id = t.k JOIN evaluations e ON e.staff_id = t.k AND e.rated_at BETWEEN t.lo AND t.hi
WHERE e.level = 5 AND e.active
UNION ALL
SELECT 'phone', encode(p.k, 'hex'), e.id, e.rated_at
FROM ph p JOIN evaluations e ON e.evaluator_phone_index = p.k AND e.rated_at BETWEEN p.lo AND p.hi
WHERE e.level = 5 AND e.active
ORDER BY 1, 2, 4, 3`

func loadTopRatings(ctx context.Context, tx pgx.Tx, since time.Time) (map[praiseKey][]topRating, error) {
	rows, err := tx.Query(ctx, topRatingsSQL, since,
		int(PraiseBurstWindow/time.Second), int(PraisePhoneWindow/time.Second))
	if err != nil {
		return nil, fmt.Errorf("top ratings: %w", err)
	}
	defer rows.Close()
	out := map[praiseKey][]topRating{}
	for rows.Next() {
		var k praiseKey
		var r topRating
		if err := rows.Scan(&k.kind, &k.subject, &r.id, &r.at); err != nil {
			return nil, fmt.Errorf("top ratings: %w", err)
		}
		out[k] = append(out[k], r)
	}
	return out, rows.Err()
}

// loadPraiseFlags returns the flags of the subjects that touch the span of their ratings:
// the unreviewed ones by subject, and the evaluations in reviewed ones.
func loadPraiseFlags(ctx context.Context, tx pgx.Tx, subjects map[praiseKey][]topRating) (map[praiseKey][]*praiseFlagRow, map[int64]bool, error) {
	var kinds, names []string
	var los, his []time.Time
	for k, rs := range subjects {
		kinds, names = append(kinds, k.kind), append(names, k.subject)
		los, his = append(los, rs[0].at), append(his, rs[len(rs)-1].at)
	}
	rows, err := tx.Query(ctx, `
		SELECT f.id, f.kind, f.subject, f.window_start, f.window_end, f.evaluation_ids, f.reviewed_at IS NOT NULL
		FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS k(kind, subject, lo, hi)
		JOIN praise_flags f ON f.kind = k.kind AND f.subject = k.subject AND f.window_start <= k.hi AND f.window_end >= k.lo
		ORDER BY f.window_start, f.id
		FOR UPDATE OF f`, kinds, names, los, his)
	if err != nil {
		return nil, nil, fmt.Errorf("praise flags: %w", err)
	}
	defer rows.Close()
	open := map[praiseKey][]*praiseFlagRow{}
	reviewed := map[int64]bool{}
	for rows.Next() {
		var k praiseKey
		f := &praiseFlagRow{}
		var done bool
		if err := rows.Scan(&f.id, &k.kind, &k.subject, &f.start, &f.end, &f.ids, &done); err != nil {
			return nil, nil, fmt.Errorf("praise flags: %w", err)
		}
		if done {
			for _, id := range f.ids {
				reviewed[id] = true
			}
			continue
		}
		open[k] = append(open[k], f)
	}
	return open, reviewed, rows.Err()
}

// praiseBursts finds the bursts among ratings ordered by time: the maximal runs of windows of
// at most `window` that hold at least n ratings and overlap one another.
func praiseBursts(rs []topRating, n int, window time.Duration) [][]topRating {
	var out [][]topRating
	start, end := -1, -1
	j := 0
	for i := range rs {
		if j < i {
			j = i
		}
		for j+1 < len(rs) && rs[j+1].at.Sub(rs[i].at) <= window {
			j++
		}
		if j-i+1 < n {
			continue
		}
		if start >= 0 && i <= end {
			end = max(end, j)
			continue
		}
		if start >= 0 {
			out = append(out, rs[start:end+1])
		}
		start, end = i, j
	}
	if start >= 0 {
		out = append(out, rs[start:end+1])
	}
	return out
}

// praiseUnitCTE is the region, department and hall of the evaluations whose ids are the
// parameter %[1]s: the nearest region containing them all; the department and hall they all
// share, if any.
const praiseUnitCTE = `
ev AS (SELECT region_id, department_id, hall_id FROM evaluations WHERE id = ANY(%[1]s::bigint[])),
anc AS (SELECT a.id, count(*) AS n FROM ev CROSS JOIN LATERAL region_ancestors(ev.region_id) AS a(id) GROUP BY a.id),
unit AS (
    SELECT (SELECT anc.id FROM anc WHERE anc.n = (SELECT count(*) FROM ev)
            ORDER BY (SELECT count(*) FROM region_ancestors(anc.id)) DESC, anc.id LIMIT 1) AS region_id,
           CASE WHEN (SELECT count(DISTINCT department_id) FROM ev) = 1 THEN (SELECT min(department_id) FROM ev) END AS department_id,
           CASE WHEN (SELECT count(*) FROM ev WHERE hall_id IS NULL) = 0 AND (SELECT count(DISTINCT hall_id) FROM ev) = 1
                THEN (SELECT min(hall_id) FROM ev) END AS hall_id
)`

var (
	insertPraiseFlagSQL = `WITH ` + fmt.Sprintf(praiseUnitCTE, "$5") + `
INSERT INTO praise_flags (kind, subject, region_id, department_id, hall_id, window_start, window_end, ratings, evaluation_ids, created_at)
SELECT $1, $2, u.region_id, u.department_id, u.hall_id, $3, $4, cardinality($5::bigint[]), $5::bigint[], $6 FROM unit u
ON CONFLICT (kind, subject, window_start) DO NOTHING
RETURNING id`
	growPraiseFlagSQL = `WITH ` + fmt.Sprintf(praiseUnitCTE, "$4") + `
UPDATE praise_flags f SET window_start = $2, window_end = $3, ratings = cardinality($4::bigint[]), evaluation_ids = $4::bigint[],
       region_id = u.region_id, department_id = u.department_id, hall_id = u.hall_id
FROM unit u WHERE f.id = $1 AND f.reviewed_at IS NULL`
)

// writePraiseFlag raises a flag for the burst, or grows the subject's unreviewed flag that it
// overlaps. It returns 1 if it wrote, 0 if the burst was flagged already.
func writePraiseFlag(ctx context.Context, tx pgx.Tx, k praiseKey, b []topRating, open map[praiseKey][]*praiseFlagRow, now time.Time) (int64, error) {
	first, last := b[0].at, b[len(b)-1].at
	ids := make([]int64, len(b))
	for i, r := range b {
		ids[i] = r.id
	}
	for _, f := range open[k] {
		if f.start.After(last) || f.end.Before(first) {
			continue
		}
		union := append(slices.Clone(f.ids), ids...)
		slices.Sort(union)
		union = slices.Compact(union)
		if len(union) == len(f.ids) && !first.Before(f.start) && !last.After(f.end) {
			return 0, nil
		}
		start, end := f.start, f.end
		if first.Before(start) {
			start = first
		}
		if last.After(end) {
			end = last
		}
		if _, err := tx.Exec(ctx, growPraiseFlagSQL, f.id, start, end, union); err != nil {
			return 0, fmt.Errorf("grow praise flag: %w", err)
		}
		f.start, f.end, f.ids = start, end, union
		return 1, nil
	}
	var id int64
	err := tx.QueryRow(ctx, insertPraiseFlagSQL, k.kind, k.subject, first, last, ids, now).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("raise praise flag: %w", err)
	}
	open[k] = append(open[k], &praiseFlagRow{id: id, start: first, end: last, ids: ids})
	return 1, nil
}

// PraiseFlag is a burst of top ratings flagged for the office.
type PraiseFlag struct {
	ID             int64      `json:"id"`
	Kind           string     `json:"kind"`                   // device, staff or phone
	Subject        string     `json:"subject"`                // device ID, staff number, or the phone's keyed hash (hex)
	SubjectName    string     `json:"subject_name,omitempty"` // the device's or staff member's name; never for a phone
	RegionID       *int64     `json:"region_id"`
	RegionCode     string     `json:"region_code,omitempty"`
	RegionName     string     `json:"region_name,omitempty"`
	DepartmentID   *int64     `json:"department_id"`
	DepartmentCode string     `json:"department_code,omitempty"`
	DepartmentName string     `json:"department_name,omitempty"`
	HallID         *int64     `json:"hall_id"`
	HallCode       string     `json:"hall_code,omitempty"`
	HallName       string     `json:"hall_name,omitempty"`
	WindowStart    time.Time  `json:"window_start"` // the first top rating of the burst
	WindowEnd      time.Time  `json:"window_end"`   // the last
	Ratings        int        `json:"ratings"`
	EvaluationIDs  []int64    `json:"evaluation_ids"`
	CreatedAt      time.Time  `json:"created_at"`
	ReviewedAt     *time.Time `json:"reviewed_at"`
}

// PraiseFlags returns the flags raised, or whose burst went on, since `since`, within the
// user's scope (in the SQL), the latest burst first.
func (s *Service) PraiseFlags(ctx context.Context, scope access.Scope, since time.Time) ([]PraiseFlag, error) {
	pred, arg := scope.SQL("f", 2)
	rows, err := s.db.Pool.Query(ctx, `
		SELECT f.id, f.kind, f.subject, COALESCE(st.name, dv.name, ''), f.region_id, COALESCE(g.code, ''), COALESCE(g.name, ''),
		       f.department_id, COALESCE(d.code, ''), COALESCE(d.name, ''), f.hall_id, COALESCE(h.code, ''), COALESCE(h.name, ''),
		       f.window_start, f.window_end, f.ratings, f.evaluation_ids, f.created_at, f.reviewed_at
		FROM praise_flags f
		LEFT JOIN regions g ON g.id = f.region_id
		LEFT JOIN departments d ON d.id = f.department_id
		LEFT JOIN halls h ON h.id = f.hall_id
		LEFT JOIN staff st ON f.kind = 'staff' AND st.staff_no = f.subject
		LEFT JOIN devices dv ON f.kind = 'device' AND dv.id = f.subject
		WHERE (f.created_at >= $1 OR f.window_end >= $1) AND `+pred+`
		ORDER BY f.window_start DESC, f.id DESC`, since, arg)
	if err != nil {
		return nil, fmt.Errorf("praise flags: %w", err)
	}
	defer rows.Close()
	out := []PraiseFlag{}
	for rows.Next() {
		var f PraiseFlag
		if err := rows.Scan(&f.ID, &f.Kind, &f.Subject, &f.SubjectName, &f.RegionID, &f.RegionCode, &f.RegionName,
			&f.DepartmentID, &f.DepartmentCode, &f.DepartmentName, &f.HallID, &f.HallCode, &f.HallName,
			&f.WindowStart, &f.WindowEnd, &f.Ratings, &f.EvaluationIDs, &f.CreatedAt, &f.ReviewedAt); err != nil {
			return nil, fmt.Errorf("praise flags: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
