package evaluation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/database"
	"haochaping/internal/problem"
)

// Creating and editing halls, windows and staff, within the administrator's scope. A code
// (staff number) names a record for good — ratings, devices and logins point at them — so an
// edit changes everything but it; a staff member is deactivated, never deleted, and moved to
// another window by an edit. Every reference an input makes (region, hall, department, window)
// must lie in the scope, else it is refused beside its field as not found.

// HallInput is a hall as the forms and the API send it; Code is ignored by an edit.
type HallInput struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Level   string `json:"level"`
	Address string `json:"address"`
	Region  string `json:"region"` // region code
}

// WindowInput is a window as sent; Code is ignored by an edit.
type WindowInput struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Hall       string `json:"hall"`       // hall code
	Department string `json:"department"` // department code
	Kind       string `json:"kind"`
}

// StaffInput is a staff member as sent; StaffNo is ignored by an edit. Active nil: active on
// creation, unchanged by an edit.
type StaffInput struct {
	StaffNo    string `json:"staff_no"`
	Name       string `json:"name"`
	Department string `json:"department"` // department code
	Window     string `json:"window"`     // window code; empty: at no window
	IsHead     bool   `json:"is_head"`
	Active     *bool  `json:"active"`
}

func hallNotFound(code string) error {
	return problem.NotFound("hall_not_found", fmt.Sprintf("大厅“%.32s”不存在或不在您的管理范围内", code))
}

func windowNotFound(code string) error {
	return problem.NotFound("window_not_found", fmt.Sprintf("窗口“%.40s”不存在或不在您的管理范围内", code))
}

func staffNotFound(no string) error {
	return problem.NotFound("staff_not_found", fmt.Sprintf("工作人员“%.32s”不存在或不在您的管理范围内", no))
}

func departmentNotFound(code string) error {
	return problem.NotFound("department_not_found", fmt.Sprintf("单位“%.32s”不存在或不在您的管理范围内", code))
}

func (in *HallInput) trim() {
	in.Code, in.Name, in.Level = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), strings.TrimSpace(in.Level)
	in.Address, in.Region = strings.TrimSpace(in.Address), strings.TrimSpace(in.Region)
}

// checkHall checks a hall's fields and resolves its region; creating: the code is checked too.
func (s *Service) checkHall(ctx context.Context, root int64, in *HallInput, creating bool) (int64, error) {
	in.trim()
	var r refusal
	if creating {
		r.checkCode(orgCodePattern, in.Code, "code", "大厅编码", 32)
	}
	r.checkName(in.Name, "name", "大厅名称", 100)
	if nameOf(HallLevels, in.Level) == "" {
		r.add("invalid_level", "level", "请选择大厅层级：市级、县（区）级、乡镇（街道）或村（社区）")
	}
	if len([]rune(in.Address)) > 200 {
		r.add("invalid_address", "address", "地址不能超过 200 个字")
	}
	var regionID int64
	if region, err := s.regionInScope(ctx, root, in.Region, "region"); err != nil {
		if p, ok := problem.As(err); ok {
			r.add(p.Code, "region", p.Message)
		} else {
			return 0, err
		}
	} else {
		regionID = region.ID
	}
	return regionID, r.err()
}

// CreateHall creates a hall in a region of the scope; a code taken answers 409 hall_code_taken.
func (s *Service) CreateHall(ctx context.Context, u *access.User, in HallInput) (*OrgHall, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	regionID, err := s.checkHall(ctx, root, &in, true)
	if err != nil {
		return nil, err
	}
	_, err = s.db.Pool.Exec(ctx, `INSERT INTO halls (code, name, region_id, level, address) VALUES ($1, $2, $3, $4, $5)`,
		in.Code, in.Name, regionID, in.Level, in.Address)
	if database.IsUniqueViolation(err) {
		return nil, problem.Conflict("hall_code_taken", fmt.Sprintf("大厅编码“%s”已被使用，请换一个编码", in.Code))
	}
	if err != nil {
		return nil, fmt.Errorf("create hall %s: %w", in.Code, err)
	}
	return s.Hall(ctx, u, in.Code)
}

// UpdateHall edits the hall of code (404 hall_not_found outside the scope).
func (s *Service) UpdateHall(ctx context.Context, u *access.User, code string, in HallInput) (*OrgHall, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	if _, err := s.Hall(ctx, u, code); err != nil {
		return nil, err
	}
	regionID, err := s.checkHall(ctx, root, &in, false)
	if err != nil {
		return nil, err
	}
	tag, err := s.db.Pool.Exec(ctx, `UPDATE halls SET name = $2, region_id = $3, level = $4, address = $5
		WHERE code = $1 AND region_id IN (SELECT region_descendants($6))`, code, in.Name, regionID, in.Level, in.Address, root)
	if err != nil {
		return nil, fmt.Errorf("update hall %s: %w", code, err)
	}
	if tag.RowsAffected() == 0 {
		return nil, hallNotFound(code)
	}
	return s.Hall(ctx, u, code)
}

// hallInScope is the id of a hall of the scope; field names the input.
func (s *Service) hallInScope(ctx context.Context, root int64, code, field string) (int64, error) {
	var id int64
	err := s.db.Pool.QueryRow(ctx, `SELECT id FROM halls WHERE code = $1 AND region_id IN (SELECT region_descendants($2))`,
		code, root).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, problem.Invalid("unknown_hall", field, fmt.Sprintf("大厅“%.32s”不存在或不在您的管理范围内", code))
	}
	if err != nil {
		return 0, fmt.Errorf("hall %q: %w", code, err)
	}
	return id, nil
}

// departmentInScope is the id of a department of a region of the scope.
func (s *Service) departmentInScope(ctx context.Context, root int64, code, field string) (int64, error) {
	var id int64
	err := s.db.Pool.QueryRow(ctx, `SELECT id FROM departments WHERE code = $1 AND region_id IN (SELECT region_descendants($2))`,
		code, root).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, problem.Invalid("unknown_department", field, fmt.Sprintf("单位“%.32s”不存在或不在您的管理范围内", code))
	}
	if err != nil {
		return 0, fmt.Errorf("department %q: %w", code, err)
	}
	return id, nil
}

// windowInScope is the id of a window of a hall of the scope.
func (s *Service) windowInScope(ctx context.Context, root int64, code, field string) (int64, error) {
	var id int64
	err := s.db.Pool.QueryRow(ctx, `SELECT w.id FROM windows w JOIN halls h ON h.id = w.hall_id
		WHERE w.code = $1 AND h.region_id IN (SELECT region_descendants($2))`, code, root).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, problem.Invalid("unknown_window", field, fmt.Sprintf("窗口“%.40s”不存在或不在您的管理范围内", code))
	}
	if err != nil {
		return 0, fmt.Errorf("window %q: %w", code, err)
	}
	return id, nil
}

// resolve runs a lookup of a reference, moving a refusal into r; other errors are returned.
func resolve(r *refusal, lookup func() (int64, error)) (int64, error) {
	id, err := lookup()
	if p, ok := problem.As(err); ok {
		for field, msg := range p.Fields {
			r.add(p.Code, field, msg)
		}
		return 0, nil
	}
	return id, err
}

type windowRefs struct{ hallID, departmentID int64 }

// checkWindow checks a window's fields and resolves its hall and department.
func (s *Service) checkWindow(ctx context.Context, root int64, in *WindowInput, creating bool) (windowRefs, error) {
	in.Code, in.Name, in.Kind = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), strings.TrimSpace(in.Kind)
	in.Hall, in.Department = strings.TrimSpace(in.Hall), strings.TrimSpace(in.Department)
	var r refusal
	var refs windowRefs
	if creating {
		r.checkCode(windowCodePattern, in.Code, "code", "窗口编码", 40)
	}
	r.checkName(in.Name, "name", "窗口名称", 100)
	var err error
	if in.Hall == "" {
		r.add("hall_required", "hall", "请选择窗口所在的大厅")
	} else if refs.hallID, err = resolve(&r, func() (int64, error) { return s.hallInScope(ctx, root, in.Hall, "hall") }); err != nil {
		return refs, err
	}
	if in.Department == "" {
		r.add("department_required", "department", "请选择负责该窗口的单位")
	} else if refs.departmentID, err = resolve(&r, func() (int64, error) {
		return s.departmentInScope(ctx, root, in.Department, "department")
	}); err != nil {
		return refs, err
	}
	if nameOf(WindowKinds, in.Kind) == "" {
		r.add("invalid_kind", "kind", "请选择窗口类型：综合受理、区域通办、帮办代办、投诉受理、兜底服务或专业窗口")
	}
	return refs, r.err()
}

// CreateWindow creates a window in a hall of the scope, answered for by a department of the
// scope; a code taken answers 409 window_code_taken.
func (s *Service) CreateWindow(ctx context.Context, u *access.User, in WindowInput) (*OrgWindow, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	refs, err := s.checkWindow(ctx, root, &in, true)
	if err != nil {
		return nil, err
	}
	_, err = s.db.Pool.Exec(ctx, `INSERT INTO windows (code, name, hall_id, department_id, kind) VALUES ($1, $2, $3, $4, $5)`,
		in.Code, in.Name, refs.hallID, refs.departmentID, in.Kind)
	if database.IsUniqueViolation(err) {
		return nil, problem.Conflict("window_code_taken", fmt.Sprintf("窗口编码“%s”已被使用，请换一个编码", in.Code))
	}
	if err != nil {
		return nil, fmt.Errorf("create window %s: %w", in.Code, err)
	}
	return s.Window(ctx, u, in.Code)
}

// UpdateWindow edits the window of code (404 window_not_found outside the scope); moving it
// to another hall of the scope is an edit.
func (s *Service) UpdateWindow(ctx context.Context, u *access.User, code string, in WindowInput) (*OrgWindow, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	if _, err := s.Window(ctx, u, code); err != nil {
		return nil, err
	}
	refs, err := s.checkWindow(ctx, root, &in, false)
	if err != nil {
		return nil, err
	}
	tag, err := s.db.Pool.Exec(ctx, `UPDATE windows w SET name = $2, hall_id = $3, department_id = $4, kind = $5
		FROM halls h WHERE h.id = w.hall_id AND w.code = $1 AND h.region_id IN (SELECT region_descendants($6))`,
		code, in.Name, refs.hallID, refs.departmentID, in.Kind, root)
	if err != nil {
		return nil, fmt.Errorf("update window %s: %w", code, err)
	}
	if tag.RowsAffected() == 0 {
		return nil, windowNotFound(code)
	}
	return s.Window(ctx, u, code)
}

type staffRefs struct {
	departmentID int64
	windowID     *int64
}

// checkStaff checks a staff member's fields and resolves the department and window.
func (s *Service) checkStaff(ctx context.Context, root int64, in *StaffInput, creating bool) (staffRefs, error) {
	in.StaffNo, in.Name = strings.TrimSpace(in.StaffNo), strings.TrimSpace(in.Name)
	in.Department, in.Window = strings.TrimSpace(in.Department), strings.TrimSpace(in.Window)
	var r refusal
	var refs staffRefs
	if creating {
		r.checkCode(orgCodePattern, in.StaffNo, "staff_no", "工号", 32)
	}
	r.checkName(in.Name, "name", "姓名", 40)
	var err error
	if in.Department == "" {
		r.add("department_required", "department", "请选择工作人员所属的单位")
	} else if refs.departmentID, err = resolve(&r, func() (int64, error) {
		return s.departmentInScope(ctx, root, in.Department, "department")
	}); err != nil {
		return refs, err
	}
	if in.Window != "" {
		id, err := resolve(&r, func() (int64, error) { return s.windowInScope(ctx, root, in.Window, "window") })
		if err != nil {
			return refs, err
		}
		if id != 0 {
			refs.windowID = &id
		}
	}
	return refs, r.err()
}

// CreateStaff adds a staff member to a department of the scope, at a window of the scope or
// at none; a staff number taken answers 409 staff_no_taken.
func (s *Service) CreateStaff(ctx context.Context, u *access.User, in StaffInput) (*OrgStaff, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	refs, err := s.checkStaff(ctx, root, &in, true)
	if err != nil {
		return nil, err
	}
	active := in.Active == nil || *in.Active
	_, err = s.db.Pool.Exec(ctx, `INSERT INTO staff (staff_no, name, department_id, window_id, is_head, active)
		VALUES ($1, $2, $3, $4, $5, $6)`, in.StaffNo, in.Name, refs.departmentID, refs.windowID, in.IsHead, active)
	if database.IsUniqueViolation(err) {
		return nil, problem.Conflict("staff_no_taken", fmt.Sprintf("工号“%s”已被使用，请换一个工号", in.StaffNo))
	}
	if err != nil {
		return nil, fmt.Errorf("create staff %s: %w", in.StaffNo, err)
	}
	return s.StaffMember(ctx, u, in.StaffNo)
}

// UpdateStaff edits the staff member of staffNo (404 staff_not_found outside the scope): the
// name, department, window (moving them, or to none), head, and active — deactivating them
// rather than deleting, since ratings and work orders point at them.
func (s *Service) UpdateStaff(ctx context.Context, u *access.User, staffNo string, in StaffInput) (*OrgStaff, error) {
	root, err := adminRegion(u)
	if err != nil {
		return nil, err
	}
	if _, err := s.StaffMember(ctx, u, staffNo); err != nil {
		return nil, err
	}
	refs, err := s.checkStaff(ctx, root, &in, false)
	if err != nil {
		return nil, err
	}
	tag, err := s.db.Pool.Exec(ctx, `UPDATE staff st SET name = $2, department_id = $3, window_id = $4, is_head = $5,
		active = COALESCE($6, st.active)
		WHERE st.staff_no = $1
		  AND (st.department_id IN (SELECT d.id FROM departments d WHERE d.region_id IN (SELECT region_descendants($7)))
		       OR st.window_id IN (SELECT w.id FROM windows w JOIN halls h ON h.id = w.hall_id
		                           WHERE h.region_id IN (SELECT region_descendants($7))))`,
		staffNo, in.Name, refs.departmentID, refs.windowID, in.IsHead, in.Active, root)
	if err != nil {
		return nil, fmt.Errorf("update staff %s: %w", staffNo, err)
	}
	if tag.RowsAffected() == 0 {
		return nil, staffNotFound(staffNo)
	}
	return s.StaffMember(ctx, u, staffNo)
}
