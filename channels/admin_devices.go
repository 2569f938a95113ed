package channels

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"haochaping/access"
	"haochaping/internal/problem"
)

// The administration of the pads and kiosks by an office administrator (the pages
// /admin/devices and the API /api/v1/devices): a device is within the administrator's reach
// when its hall lies in the administrator's region or a region below it. A device outside the
// reach is, for that administrator, not there (404); the backends (pc, mobile, system), which
// have no hall, are administered on the command line only.

// devicesInReach is the predicate of the rows of devices (aliased alias, from the code) whose
// hall lies in the region of placeholder $argPos or below it.
func devicesInReach(alias string, argPos int) string {
	return fmt.Sprintf(`%[1]s.hall_id IS NOT NULL
		AND (SELECT rh.region_id FROM halls rh WHERE rh.id = %[1]s.hall_id) IN (SELECT region_descendants($%[2]d))`, alias, argPos)
}

func errNotAdmin() error {
	return problem.Forbidden("forbidden_role", "只有政务服务管理机构的管理员可以管理设备")
}

func errDeviceNotFound(id string) error {
	return problem.NotFound("device_not_found", fmt.Sprintf("设备不存在或不在管理范围内：%.64s", id))
}

// adminDeviceSelect reads a device with its window and hall and whether a browser is paired.
const adminDeviceSelect = `
	SELECT d.id, d.channel, d.name, COALESCE(w.code, ''), COALESCE(w.name, ''), COALESCE(h.code, ''),
	       COALESCE(h.name, ''), d.enabled, d.demo, d.created_at,
	       EXISTS (SELECT 1 FROM device_sessions s WHERE s.device_id = d.id AND s.revoked_at IS NULL)
	FROM devices d LEFT JOIN windows w ON w.id = d.window_id LEFT JOIN halls h ON h.id = d.hall_id`

func scanAdminDevice(row pgx.Row) (*Device, error) {
	var dev Device
	err := row.Scan(&dev.ID, &dev.Channel, &dev.Name, &dev.WindowCode, &dev.WindowName, &dev.HallCode,
		&dev.HallName, &dev.Enabled, &dev.Demo, &dev.CreatedAt, &dev.Paired)
	if err != nil {
		return nil, err
	}
	return &dev, nil
}

// AdminList returns the pads and kiosks within the administrator's reach, by hall and ID.
func (d *Devices) AdminList(ctx context.Context, admin *access.User) ([]*Device, error) {
	region, ok := admin.AdministeredRegion()
	if !ok {
		return nil, errNotAdmin()
	}
	rows, err := d.DB.Pool.Query(ctx, adminDeviceSelect+` WHERE `+devicesInReach("d", 1)+`
		ORDER BY h.code, d.channel DESC, w.code NULLS LAST, d.id`, region)
	if err != nil {
		return nil, fmt.Errorf("list devices in reach: %w", err)
	}
	defer rows.Close()
	out := []*Device{}
	for rows.Next() {
		dev, err := scanAdminDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("list devices in reach: %w", err)
		}
		out = append(out, dev)
	}
	return out, rows.Err()
}

// AdminGet returns the device if it is within the administrator's reach; 404 device_not_found
// when it is not, as when there is none.
func (d *Devices) AdminGet(ctx context.Context, admin *access.User, id string) (*Device, error) {
	region, ok := admin.AdministeredRegion()
	if !ok {
		return nil, errNotAdmin()
	}
	dev, err := scanAdminDevice(d.DB.Pool.QueryRow(ctx, adminDeviceSelect+` WHERE d.id = $1 AND `+devicesInReach("d", 2), id, region))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errDeviceNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("get device in reach: %w", err)
	}
	return dev, nil
}

// The place of a device to register, by its code: its name, and whether it lies in the region
// of $2 or below it.
const (
	windowInReach = `SELECT w.name, h.region_id IN (SELECT region_descendants($2))
		FROM windows w JOIN halls h ON h.id = w.hall_id WHERE w.code = $1`
	hallInReach = `SELECT h.name, h.region_id IN (SELECT region_descendants($2)) FROM halls h WHERE h.code = $1`
)

var deviceIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{3,64}$`)

// AdminAdd registers a pad (channel window, on a window) or a kiosk (channel kiosk, in a hall)
// within the administrator's reach, and returns it with its signing secret, shown this once.
// 422 invalid_channel, invalid_device_id, invalid_name, window_required, hall_required,
// window_not_found, hall_not_found; 403 place_out_of_reach; 409 device_id_taken.
func (d *Devices) AdminAdd(ctx context.Context, admin *access.User, nd NewDevice) (*Device, error) {
	region, ok := admin.AdministeredRegion()
	if !ok {
		return nil, errNotAdmin()
	}
	nd.Channel, nd.ID, nd.Name = strings.TrimSpace(nd.Channel), strings.TrimSpace(nd.ID), strings.TrimSpace(nd.Name)
	nd.WindowCode, nd.HallCode = strings.TrimSpace(nd.WindowCode), strings.TrimSpace(nd.HallCode)
	nd.Demo, nd.Secret = false, ""
	switch {
	case nd.Channel != "window" && nd.Channel != "kiosk":
		return nil, problem.Invalid("invalid_channel", "channel", "请选择设备类型：窗口评价器（window）或自助终端（kiosk）")
	case nd.ID != "" && !deviceIDPattern.MatchString(nd.ID):
		return nil, problem.Invalid("invalid_device_id", "id", "设备编号须为 3 至 64 位字母、数字、点、下划线或连字符；留空则自动生成")
	case utf8.RuneCountInString(nd.Name) > 64:
		return nil, problem.Invalid("invalid_name", "name", "名称不能超过 64 个字符")
	case nd.Channel == "window" && nd.WindowCode == "":
		return nil, problem.Invalid("window_required", "window", "窗口评价器须登记到一个窗口")
	case nd.Channel == "kiosk" && nd.HallCode == "":
		return nil, problem.Invalid("hall_required", "hall", "自助终端须登记到一个大厅")
	}
	// A pad's hall is its window's; a kiosk names no window.
	field, query, code := "hall", hallInReach, nd.HallCode
	if nd.Channel == "window" {
		field, query, code, nd.HallCode = "window", windowInReach, nd.WindowCode, ""
	} else {
		nd.WindowCode = ""
	}
	var name string
	var inside bool
	err := d.DB.Pool.QueryRow(ctx, query, code, region).Scan(&name, &inside)
	what := map[string]string{"window": "窗口", "hall": "大厅"}[field]
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.Invalid(field+"_not_found", field, fmt.Sprintf("%s编码不存在：%.40s", what, code))
	}
	if err != nil {
		return nil, fmt.Errorf("register device: %w", err)
	}
	if !inside {
		msg := fmt.Sprintf("%s“%s”不在您的管理范围（%s及其下级）之内", what, name, admin.Scope.Name)
		return nil, problem.Forbidden("place_out_of_reach", msg).WithField(field, msg)
	}
	dev, err := d.Add(ctx, nd)
	if err != nil {
		return nil, err
	}
	got, err := d.AdminGet(ctx, admin, dev.ID)
	if err != nil {
		return nil, err
	}
	got.Secret = dev.Secret
	return got, nil
}

// AdminSetEnabled disables or enables a device within the administrator's reach. Disabling
// refuses the device at once, ends the browser sessions it was paired with and drops its
// unused pairing codes; enabled again, it is paired anew. 404 device_not_found.
func (d *Devices) AdminSetEnabled(ctx context.Context, admin *access.User, id string, enabled bool, now time.Time) (*Device, error) {
	region, ok := admin.AdministeredRegion()
	if !ok {
		return nil, errNotAdmin()
	}
	var changed string
	err := pgx.BeginFunc(ctx, d.DB.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE devices d SET enabled = $2 WHERE d.id = $1 AND `+devicesInReach("d", 3)+` RETURNING d.id`,
			id, enabled, region).Scan(&changed)
		if errors.Is(err, pgx.ErrNoRows) {
			return errDeviceNotFound(id)
		}
		if err != nil || enabled {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE device_sessions SET revoked_at = $2 WHERE device_id = $1 AND revoked_at IS NULL`, id, now); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM device_pairings WHERE device_id = $1 AND used_at IS NULL`, id)
		return err
	})
	if _, ok := problem.As(err); ok {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("set device %s enabled: %w", id, err)
	}
	d.DB.RefData.Invalidate() // refused by this instance at once; by the others on NOTIFY
	return d.AdminGet(ctx, admin, changed)
}

// AdminPairingCode makes a pairing code (NewPairingCode) for a pad or kiosk within the
// administrator's reach. 404 device_not_found outside it; 422 not_pairable for a backend; 409
// device_disabled.
func (d *Devices) AdminPairingCode(ctx context.Context, admin *access.User, id string, now time.Time) (*PairingCode, error) {
	dev, err := d.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	if dev != nil && dev.Channel != "window" && dev.Channel != "kiosk" {
		return nil, problem.Invalid("not_pairable", "device", "只有窗口评价器和自助终端需要配对")
	}
	if _, err := d.AdminGet(ctx, admin, id); err != nil {
		return nil, err
	}
	return d.NewPairingCode(ctx, id, now)
}

// Place is a hall within an administrator's reach, with its windows, as the registration form
// offers them.
type Place struct {
	Code    string
	Name    string
	Windows []PlaceWindow
}

// PlaceWindow is a window of a Place.
type PlaceWindow struct{ Code, Name string }

// PlacesInReach lists the halls within the administrator's reach with their windows, by code.
func (d *Devices) PlacesInReach(ctx context.Context, admin *access.User) ([]Place, error) {
	region, ok := admin.AdministeredRegion()
	if !ok {
		return nil, errNotAdmin()
	}
	rows, err := d.DB.Pool.Query(ctx, `
		SELECT h.code, h.name, COALESCE(w.code, ''), COALESCE(w.name, '')
		FROM halls h LEFT JOIN windows w ON w.hall_id = h.id
		WHERE h.region_id IN (SELECT region_descendants($1))
		ORDER BY h.code, w.code`, region)
	if err != nil {
		return nil, fmt.Errorf("places in reach: %w", err)
	}
	defer rows.Close()
	var out []Place
	for rows.Next() {
		var hall, hallName, window, windowName string
		if err := rows.Scan(&hall, &hallName, &window, &windowName); err != nil {
			return nil, fmt.Errorf("places in reach: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Code != hall {
			out = append(out, Place{Code: hall, Name: hallName})
		}
		if window != "" {
			last := &out[len(out)-1]
			last.Windows = append(last.Windows, PlaceWindow{Code: window, Name: windowName})
		}
	}
	return out, rows.Err()
}
