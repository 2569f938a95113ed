package demohistory

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"haochaping/rectify"
)

// ErrNotSeeded is returned when the schema lacks the organisation the history hangs on.
var ErrNotSeeded = errors.New("the organisation is not seeded (regions, halls, windows, items and reasons): run `haochaping seed` first")

// The organisation as the generator sees it. IDs are pre-boxed as `any`: a COPY row is a []any,
// and boxing the same int64 millions of times would only feed the garbage collector.
type (
	orgRegion struct {
		id      int64
		idAny   any
		code    string
		name    string
		volume  float64
		active  [2]float64 // active share at the start and at the end of the period
		hall    *orgHall   // the region's 政务服务中心 (the first, if several)
		items   []*orgItem // items of the region's departments
		itemCum []float64  // cumulative popularity of items
		online  []*orgItem // items that can be done online (and at kiosks)
		onCum   []float64
		// settings (region_setting)
		ratingDays, defaultLevel int
		deadlines                rectify.DeadlineDays
		officeName               string // who acts for the office in the timeline
		windowsCum               []float64
		windows                  []*orgWindow // the hall's windows, for ticket visits
		kioskDevice              any          // demo kiosk of the hall, or nil
	}
	orgHall struct {
		id    int64
		idAny any
		code  string
	}
	orgDepartment struct {
		id      int64
		idAny   any
		code    string
		kind    string // the code's suffix (SPJ, GAJ, …): what the story's tables are keyed by
		region  *orgRegion
		head    *orgStaff
		windows []*orgWindow // its windows in its region's hall
		// serve: the windows that handle its items, its own and the hall's comprehensive ones
		// ("一窗受理"), with their weights.
		serve    []*orgWindow
		serveCum []float64
		quality  unitQuality
		// enterprise: the share of its cases applied for by an enterprise.
		enterprise float64
	}
	orgWindow struct {
		id       int64
		idAny    any
		code     string
		kind     string
		dept     *orgDepartment
		staff    []*orgStaff
		quality  unitQuality
		device   any // the demo pad at this window, or nil
		hall     any // its hall's ID, boxed
		ticketCh byte
	}
	orgStaff struct {
		id      int64
		idAny   any
		no      string
		name    string
		dept    *orgDepartment
		window  *orgWindow // nil for a unit's head
		quality unitQuality
	}
	orgItem struct {
		id       int64
		idAny    any
		code     string
		dept     *orgDepartment
		promised int // 承诺办结时限, working days; 0: 即办件
		online   bool
		weight   float64
	}
)

// org is the seeded organisation, the reason set in effect and the demo devices.
type org struct {
	regions     []*orgRegion
	regionCum   []float64
	depts       map[int64]*orgDepartment
	reasonVer   any // int32, boxed
	offline     []string
	online      []string
	mobileDev   any
	pcDev       any
	hasStaff    bool
	staffByID   map[int64]*orgStaff
	windowsByID map[int64]*orgWindow
}

// loadOrg reads the organisation. ratingDays is the deployment's default evaluation window
// for regions without a setting (HAOCHAPING_EVALUATION_WINDOW_DAYS).
func loadOrg(ctx context.Context, pool *pgxpool.Pool, story *Story, seed uint64, ratingDays int) (*org, error) {
	o := &org{depts: map[int64]*orgDepartment{}, staffByID: map[int64]*orgStaff{}, windowsByID: map[int64]*orgWindow{}}
	regions := map[int64]*orgRegion{}
	rows, err := pool.Query(ctx, `
		SELECT r.id, r.code, r.name,
		       COALESCE(region_setting(r.id, 'evaluation_window_days'), ''),
		       COALESCE(region_setting(r.id, 'default_level'), ''),
		       COALESCE(region_setting(r.id, 'callback_working_days'), ''),
		       COALESCE(region_setting(r.id, 'rectify_working_days'), ''),
		       COALESCE(region_setting(r.id, 'rectify_max_working_days'), '')
		FROM regions r ORDER BY r.id`)
	if err != nil {
		return nil, fmt.Errorf("load regions: %w", err)
	}
	for rows.Next() {
		r := &orgRegion{}
		var days, level, cb, rect, maxRect string
		if err := rows.Scan(&r.id, &r.code, &r.name, &days, &level, &cb, &rect, &maxRect); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load regions: %w", err)
		}
		// The same fallbacks as the system: evaluation.Service, and rectify's for the deadlines.
		r.ratingDays = atoiOr(days, ratingDays, 1)
		r.defaultLevel = atoiOr(level, 5, 1)
		r.deadlines = rectify.ParseDeadlineDays(cb, rect, maxRect)
		if r.defaultLevel > 5 {
			r.defaultLevel = 5
		}
		r.idAny = r.id
		r.officeName = r.name + "政务服务管理员"
		r.volume = 1.0 / 8
		if v, ok := story.RegionVolume[r.code]; ok {
			r.volume = v
		}
		r.active = story.DefaultActiveShare
		if a, ok := story.ActiveShare[r.code]; ok {
			r.active = a
		}
		regions[r.id] = r
		o.regions = append(o.regions, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load regions: %w", err)
	}

	if err := scanAll(ctx, pool, `SELECT id, code, region_id FROM halls ORDER BY id`, func(r pgx.Rows) error {
		h := &orgHall{}
		var region int64
		if err := r.Scan(&h.id, &h.code, &region); err != nil {
			return err
		}
		h.idAny = h.id
		if reg := regions[region]; reg != nil && reg.hall == nil {
			reg.hall = h
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load halls: %w", err)
	}

	if err := scanAll(ctx, pool, `SELECT id, code, region_id FROM departments ORDER BY id`, func(r pgx.Rows) error {
		d := &orgDepartment{}
		var region int64
		if err := r.Scan(&d.id, &d.code, &region); err != nil {
			return err
		}
		d.idAny = d.id
		d.region = regions[region]
		if i := strings.LastIndexByte(d.code, '-'); i >= 0 {
			d.kind = d.code[i+1:]
		}
		d.quality = newQuality(story, seed, d.code, 0, story.DepartmentSpread)
		d.enterprise = story.EnterpriseOther
		if share, ok := story.Enterprise[d.kind]; ok {
			d.enterprise = share
		}
		o.depts[d.id] = d
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load departments: %w", err)
	}

	hallRegion := map[int64]*orgRegion{}
	for _, r := range o.regions {
		if r.hall != nil {
			hallRegion[r.hall.id] = r
		}
	}
	if err := scanAll(ctx, pool, `SELECT id, code, hall_id, department_id, kind FROM windows ORDER BY id`, func(r pgx.Rows) error {
		w := &orgWindow{}
		var hall, dept int64
		if err := r.Scan(&w.id, &w.code, &hall, &dept, &w.kind); err != nil {
			return err
		}
		w.idAny, w.hall = w.id, hall
		w.dept = o.depts[dept]
		w.quality = newQuality(story, seed, w.code, 1, story.WindowSpread)
		// Queue tickets start with a letter by kind of window, as the halls' machines print them.
		w.ticketCh = map[string]byte{"comprehensive": 'A', "specialised": 'B', "cross_region": 'C', "assisted": 'D',
			"complaint": 'E', "fallback": 'F'}[w.kind]
		if w.ticketCh == 0 {
			w.ticketCh = 'A'
		}
		o.windowsByID[w.id] = w
		if reg := hallRegion[hall]; reg != nil {
			reg.windows = append(reg.windows, w)
			if w.dept != nil {
				w.dept.windows = append(w.dept.windows, w)
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load windows: %w", err)
	}

	if err := scanAll(ctx, pool, `SELECT id, staff_no, name, department_id, window_id, is_head FROM staff WHERE active ORDER BY id`, func(r pgx.Rows) error {
		s := &orgStaff{}
		var dept int64
		var window *int64
		var head bool
		if err := r.Scan(&s.id, &s.no, &s.name, &dept, &window, &head); err != nil {
			return err
		}
		s.idAny, s.dept = s.id, o.depts[dept]
		s.quality = newQuality(story, seed, s.no, 2, story.StaffSpread)
		o.staffByID[s.id] = s
		o.hasStaff = true
		if d := o.depts[dept]; d != nil && head && d.head == nil {
			d.head = s
		}
		if window != nil {
			if w := o.windowsByID[*window]; w != nil {
				w.staff = append(w.staff, s)
				s.window = w
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load staff: %w", err)
	}

	if err := scanAll(ctx, pool, `SELECT id, code, department_id, promised_days, online, kind FROM service_items ORDER BY id`, func(r pgx.Rows) error {
		it := &orgItem{}
		var dept int64
		var kind string
		if err := r.Scan(&it.id, &it.code, &dept, &it.promised, &it.online, &kind); err != nil {
			return err
		}
		it.idAny = it.id
		it.dept = o.depts[dept]
		if kind == "immediate" {
			it.promised = 0
		} else if it.promised == 0 {
			it.promised = 1
		}
		it.weight = story.PromisedWeight
		if kind == "immediate" {
			it.weight = story.ImmediateWeight
		}
		basic := it.code
		if i := strings.IndexByte(basic, '-'); i >= 0 {
			basic = basic[i+1:]
		}
		if w, ok := story.ItemWeight[basic]; ok {
			it.weight = w
		}
		if it.dept != nil && it.dept.region != nil {
			reg := it.dept.region
			reg.items = append(reg.items, it)
			if it.online {
				reg.online = append(reg.online, it)
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load items: %w", err)
	}

	// Demo devices only: made-up ratings are not attributed to a real pad or kiosk.
	if err := scanAll(ctx, pool, `SELECT id, channel, window_id, hall_id FROM devices WHERE demo AND enabled ORDER BY id`, func(r pgx.Rows) error {
		var id, channel string
		var window, hall *int64
		if err := r.Scan(&id, &channel, &window, &hall); err != nil {
			return err
		}
		switch channel {
		case "window":
			if w := o.windowsByID[deref(window)]; w != nil && w.device == nil {
				w.device = id
			}
		case "kiosk":
			if reg := hallRegion[deref(hall)]; reg != nil && reg.kioskDevice == nil {
				reg.kioskDevice = id
			}
		case "mobile":
			if o.mobileDev == nil {
				o.mobileDev = id
			}
		case "pc":
			if o.pcDev == nil {
				o.pcDev = id
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load devices: %w", err)
	}

	// The reason set in effect, as evaluation.loadReasonSet reads it.
	var version int32
	if err := scanAll(ctx, pool, `
		SELECT r.version, r.kind, r.code FROM reasons r
		WHERE r.version = (SELECT max(version) FROM reason_set_versions WHERE effective_from <= now())
		ORDER BY r.kind, r.position`, func(r pgx.Rows) error {
		var kind, code string
		if err := r.Scan(&version, &kind, &code); err != nil {
			return err
		}
		if kind == "online" {
			o.online = append(o.online, code)
		} else {
			o.offline = append(o.offline, code)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("load reasons: %w", err)
	}
	o.reasonVer = version

	// Keep the regions the history can use: a hall with windows, and items.
	var usable []*orgRegion
	for _, r := range o.regions {
		if r.hall == nil || len(r.windows) == 0 || len(r.items) == 0 {
			continue
		}
		r.itemCum = cumulative(weights(r.items))
		r.onCum = cumulative(weights(r.online))
		ww := make([]float64, len(r.windows))
		for i, w := range r.windows {
			ww[i] = ticketWeight(w.kind)
		}
		r.windowsCum = cumulative(ww)
		usable = append(usable, r)
	}
	if len(usable) == 0 || version == 0 || len(o.offline) == 0 || len(o.online) == 0 {
		return nil, ErrNotSeeded
	}
	o.regions = usable
	routeWindows(o)
	vol := make([]float64, len(usable))
	for i, r := range usable {
		vol[i] = r.volume
	}
	o.regionCum = cumulative(vol)
	return o, nil
}

// unitQuality is the log of a unit's bad-review odds multiplier: drawn from the seed, unless the
// story names the unit.
type unitQuality struct {
	base  float64
	fixed *QualityTrend
}

func newQuality(story *Story, seed uint64, code string, kind uint64, spread float64) unitQuality {
	if t, ok := story.Quality[code]; ok {
		return unitQuality{fixed: &t}
	}
	r := newRNG(seed, streamUnit, codeHash(code), kind)
	return unitQuality{base: r.normal() * spread}
}

// at is the quality at a point of the period (0: its first day, 1: its last).
func (q unitQuality) at(progress float64) float64 {
	if q.fixed != nil {
		return q.fixed.From + (q.fixed.To-q.fixed.From)*progress
	}
	return q.base
}

func weights(items []*orgItem) []float64 {
	w := make([]float64, len(items))
	for i, it := range items {
		w[i] = it.weight
	}
	return w
}

func scanAll(ctx context.Context, pool *pgxpool.Pool, sql string, scan func(pgx.Rows) error) error {
	rows, err := pool.Query(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func atoiOr(s string, def, least int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < least {
		return def
	}
	return n
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
