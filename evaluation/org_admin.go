package evaluation

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// The organisation as the office administers it (halls, windows, staff), read within the
// administrator's scope: the halls of its region and the regions below, their windows, and
// the staff of the departments of those regions or at those windows. org_admin_write.go
// creates and edits them.

// HallLevels are the levels of a hall (halls.level), with their Chinese names.
var HallLevels = []Choice{
	{"city", "市级政务服务中心"}, {"district", "县（区）级政务服务中心"},
	{"town", "乡镇（街道）便民服务中心"}, {"village", "村（社区）便民服务站"},
}

// WindowKinds are the kinds of a window (windows.kind), with their Chinese names, in the order
// of the plan: the five windows every hall sets up, then the departments' own.
var WindowKinds = []Choice{
	{"comprehensive", "综合受理"}, {"cross_region", "区域通办"}, {"assisted", "帮办代办"},
	{"complaint", "投诉受理（吐槽找茬）"}, {"fallback", "兜底服务"}, {"specialised", "专业窗口"},
}

// OrgHall is a hall as administered.
type OrgHall struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Level     string `json:"level"`
	LevelName string `json:"level_name"`
	Address   string `json:"address"`
	Region    OrgRef `json:"region"`
}

// OrgWindow is a window as administered.
type OrgWindow struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	KindName   string `json:"kind_name"`
	Hall       OrgRef `json:"hall"`
	Department OrgRef `json:"department"`
}

// OrgStaff is a staff member as administered.
type OrgStaff struct {
	StaffNo    string  `json:"staff_no"`
	Name       string  `json:"name"`
	Department OrgRef  `json:"department"`
	Window     *OrgRef `json:"window"` // null: at no window (a unit head, back-office staff)
	IsHead     bool    `json:"is_head"`
	Active     bool    `json:"active"`
}

// OrgDepartment is a department of a region in scope, for the forms.
type OrgDepartment struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Region OrgRef `json:"region"`
}

// StaffFilter narrows the staff listed: by window code, by department code (either empty: all).
type StaffFilter struct {
	Window     string
	Department string
}

const kindOrder = `array_position(ARRAY['comprehensive', 'cross_region', 'assisted', 'complaint', 'fallback', 'specialised'], w.kind)`

// Halls are the halls in the administrator's scope, by region, level (the region's own
// 政务服务中心 before its 便民服务中心) and code.
func (s *Service) Halls(ctx context.Context, u *access.User) ([]OrgHall, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	return s.queryHalls(ctx, `h.region_id IN (SELECT region_descendants($1))`, root)
}

// Hall is one hall in scope by its code (404 hall_not_found outside it).
func (s *Service) Hall(ctx context.Context, u *access.User, code string) (*OrgHall, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	list, err := s.queryHalls(ctx, `h.region_id IN (SELECT region_descendants($1)) AND h.code = $2`, root, code)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, hallNotFound(code)
	}
	return &list[0], nil
}

func (s *Service) queryHalls(ctx context.Context, where string, args ...any) ([]OrgHall, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT h.code, h.name, h.level, h.address, r.code, r.name
		FROM halls h JOIN regions r ON r.id = h.region_id
		WHERE `+where+` ORDER BY r.code, array_position(ARRAY['city', 'district', 'town', 'village'], h.level), h.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("halls: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (OrgHall, error) {
		var h OrgHall
		err := row.Scan(&h.Code, &h.Name, &h.Level, &h.Address, &h.Region.Code, &h.Region.Name)
		h.LevelName = nameOf(HallLevels, h.Level)
		return h, err
	})
}

// Windows are the windows of the halls in scope — of one hall, given its code (404
// hall_not_found when it is not in scope) — by hall, kind and code.
func (s *Service) Windows(ctx context.Context, u *access.User, hallCode string) ([]OrgWindow, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	if hallCode != "" {
		if _, err := s.Hall(ctx, u, hallCode); err != nil {
			return nil, err
		}
	}
	return s.queryWindows(ctx, `h.region_id IN (SELECT region_descendants($1)) AND ($2 = '' OR h.code = $2)`, root, hallCode)
}

// Window is one window in scope by its code (404 window_not_found outside it).
func (s *Service) Window(ctx context.Context, u *access.User, code string) (*OrgWindow, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	list, err := s.queryWindows(ctx, `h.region_id IN (SELECT region_descendants($1)) AND w.code = $2`, root, code)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, windowNotFound(code)
	}
	return &list[0], nil
}

func (s *Service) queryWindows(ctx context.Context, where string, args ...any) ([]OrgWindow, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT w.code, w.name, w.kind, h.code, h.name, d.code, d.name
		FROM windows w JOIN halls h ON h.id = w.hall_id JOIN departments d ON d.id = w.department_id
		WHERE `+where+` ORDER BY h.code, `+kindOrder+`, w.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("windows: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (OrgWindow, error) {
		var w OrgWindow
		err := row.Scan(&w.Code, &w.Name, &w.Kind, &w.Hall.Code, &w.Hall.Name, &w.Department.Code, &w.Department.Name)
		w.KindName = nameOf(WindowKinds, w.Kind)
		return w, err
	})
}

// staffInScope is the predicate of the staff an administrator reaches ($1 its region): those
// of a department of a region in scope, and those at a window of a hall in scope.
const staffInScope = `(d.region_id IN (SELECT region_descendants($1)) OR h.region_id IN (SELECT region_descendants($1)))`

// StaffMembers are the staff in scope, active or not, narrowed by f: by window, heads first,
// then by staff number. A window or department named but not in scope is not found (404).
func (s *Service) StaffMembers(ctx context.Context, u *access.User, f StaffFilter) ([]OrgStaff, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	if f.Window != "" {
		if _, err := s.Window(ctx, u, f.Window); err != nil {
			return nil, err
		}
	}
	if f.Department != "" {
		if _, err := s.departmentInScope(ctx, root, f.Department, "department"); err != nil {
			if _, refused := problem.As(err); refused {
				return nil, departmentNotFound(f.Department)
			}
			return nil, err
		}
	}
	return s.queryStaff(ctx, staffInScope+` AND ($2 = '' OR w.code = $2) AND ($3 = '' OR d.code = $3)`,
		root, f.Window, f.Department)
}

// StaffMember is one staff member in scope by staff number (404 staff_not_found outside it).
func (s *Service) StaffMember(ctx context.Context, u *access.User, staffNo string) (*OrgStaff, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	list, err := s.queryStaff(ctx, staffInScope+` AND st.staff_no = $2`, root, staffNo)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, staffNotFound(staffNo)
	}
	return &list[0], nil
}

func (s *Service) queryStaff(ctx context.Context, where string, args ...any) ([]OrgStaff, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT st.staff_no, st.name, d.code, d.name, w.code, w.name, st.is_head, st.active
		FROM staff st JOIN departments d ON d.id = st.department_id
		     LEFT JOIN windows w ON w.id = st.window_id LEFT JOIN halls h ON h.id = w.hall_id
		WHERE `+where+` ORDER BY w.code NULLS LAST, st.is_head DESC, st.staff_no`, args...)
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (OrgStaff, error) {
		var m OrgStaff
		var wCode, wName *string
		err := row.Scan(&m.StaffNo, &m.Name, &m.Department.Code, &m.Department.Name, &wCode, &wName, &m.IsHead, &m.Active)
		if wCode != nil {
			m.Window = &OrgRef{Code: *wCode, Name: *wName}
		}
		return m, err
	})
}

// Departments are the departments of the regions in scope, by region and code.
func (s *Service) Departments(ctx context.Context, u *access.User) ([]OrgDepartment, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT d.code, d.name, r.code, r.name
		FROM departments d JOIN regions r ON r.id = d.region_id
		WHERE d.region_id IN (SELECT region_descendants($1)) ORDER BY r.code, d.code`, root)
	if err != nil {
		return nil, fmt.Errorf("departments: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (OrgDepartment, error) {
		var d OrgDepartment
		err := row.Scan(&d.Code, &d.Name, &d.Region.Code, &d.Region.Name)
		return d, err
	})
}

// Organisation is the organisation in scope as one tree, for the administration's page: each
// hall with its windows and each window's staff, and the staff at no window.
type Organisation struct {
	Halls    []HallTree
	Unplaced []OrgStaff // staff at no window: unit heads, back-office staff
}

// HallTree is a hall with its windows.
type HallTree struct {
	OrgHall
	Windows []WindowTree
}

// WindowTree is a window with its staff.
type WindowTree struct {
	OrgWindow
	Staff []OrgStaff
}

// Organisation reads the halls, windows and staff in scope as one tree.
func (s *Service) Organisation(ctx context.Context, u *access.User) (*Organisation, error) {
	halls, err := s.Halls(ctx, u)
	if err != nil {
		return nil, err
	}
	windows, err := s.Windows(ctx, u, "")
	if err != nil {
		return nil, err
	}
	staff, err := s.StaffMembers(ctx, u, StaffFilter{})
	if err != nil {
		return nil, err
	}
	org := &Organisation{}
	shown := map[string]bool{}
	for _, w := range windows {
		shown[w.Code] = true
	}
	atWindow := map[string][]OrgStaff{}
	for _, m := range staff {
		// A staff member of a department in scope at a window of a hall outside it is listed
		// with those at no window, so that nobody in scope goes unlisted.
		if m.Window == nil || !shown[m.Window.Code] {
			org.Unplaced = append(org.Unplaced, m)
			continue
		}
		atWindow[m.Window.Code] = append(atWindow[m.Window.Code], m)
	}
	ofHall := map[string][]WindowTree{}
	for _, w := range windows {
		ofHall[w.Hall.Code] = append(ofHall[w.Hall.Code], WindowTree{OrgWindow: w, Staff: atWindow[w.Code]})
	}
	for _, h := range halls {
		org.Halls = append(org.Halls, HallTree{OrgHall: h, Windows: ofHall[h.Code]})
	}
	return org, nil
}
