package channels

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"haochaping/internal/database"
	"haochaping/internal/pii"
	"haochaping/internal/problem"
	"haochaping/internal/refcache"
)

// Device is a pad, kiosk or backend allowed to send ratings or cases.
type Device struct {
	ID         string `json:"id"`
	Channel    string `json:"channel"` // pc, window, mobile, kiosk or system
	Name       string `json:"name"`
	WindowID   *int64 `json:"-"`
	WindowCode string `json:"window,omitempty"`
	HallID     *int64 `json:"-"`
	HallCode   string `json:"hall,omitempty"`
	WindowName string `json:"window_name,omitempty"` // read by the administration's list (admin_devices.go)
	HallName   string `json:"hall_name,omitempty"`
	Enabled    bool   `json:"enabled"`
	// Paired: a browser holds a live device session of it (read by the administration's list).
	Paired    bool      `json:"paired"`
	Demo      bool      `json:"demo"`
	CreatedAt time.Time `json:"created_at"`
	Secret    string    `json:"secret,omitempty"` // only when just created, or for demo devices in demo mode

	secret string
}

// DeviceChannels are the channels a device can be registered for.
var DeviceChannels = []string{"pc", "window", "mobile", "kiosk", "system"}

// Devices is the registry of devices (tables devices and used_signatures, which this package
// owns). A device is a record: written through its gorm model.
type Devices struct {
	DB   *database.DB
	Keys *pii.Keys
	// RefuseDemo: demo mode is off, so the demo devices (whose secrets are published) are
	// treated as unknown wherever a device authenticates — signed requests (Authenticator),
	// the portal's tickets and the paired browsers' sessions — like access.Users.RefuseDemo.
	RefuseDemo bool

	cacheOnce sync.Once
	cache     *refcache.Cache[string, Device] // by ID (Lookup)
}

// Admits says whether dev may authenticate at all: not a demo device out of demo mode.
func (d *Devices) Admits(dev *Device) bool {
	return !(dev.Demo && d.RefuseDemo)
}

// deviceRecord is a row of devices.
type deviceRecord struct {
	ID        string `gorm:"primaryKey"`
	Channel   string
	Name      string
	WindowID  *int64
	HallID    *int64
	SecretEnc []byte
	Enabled   bool
	Demo      bool
	CreatedAt time.Time // set by gorm on create
}

func (deviceRecord) TableName() string { return "devices" }

// NewDevice describes a device to register.
type NewDevice struct {
	ID         string // empty: generated
	Channel    string
	Name       string
	WindowCode string // required for window pads
	HallCode   string // required for kiosks (a window implies its hall)
	Demo       bool
	Secret     string // empty: generated
}

// Add registers a device and returns it with its secret, which is shown this once.
func (d *Devices) Add(ctx context.Context, nd NewDevice) (*Device, error) {
	if !validChannel(nd.Channel) {
		return nil, problem.Invalid("invalid_channel", "channel", "设备渠道须为 pc、window、mobile、kiosk 或 system")
	}
	if nd.Channel == "window" && nd.WindowCode == "" {
		return nil, problem.Invalid("window_required", "window", "窗口评价器须登记到一个窗口（--window）")
	}
	if nd.Channel == "kiosk" && nd.HallCode == "" && nd.WindowCode == "" {
		return nil, problem.Invalid("hall_required", "hall", "自助终端须登记到一个大厅（--hall）")
	}
	if nd.ID == "" {
		nd.ID = nd.Channel + "-" + randomHex(4)
	}
	if nd.Secret == "" {
		nd.Secret = randomHex(32)
	}
	rec := deviceRecord{ID: nd.ID, Channel: nd.Channel, Name: nd.Name, SecretEnc: d.Keys.Seal(nd.Secret), Enabled: true, Demo: nd.Demo}
	// The window and hall by their codes; a window gives its hall unless one is named.
	if nd.WindowCode != "" {
		var w struct{ ID, HallID int64 }
		if err := d.DB.Gorm.WithContext(ctx).Raw(`SELECT id, hall_id FROM windows WHERE code = ?`, nd.WindowCode).Scan(&w).Error; err != nil {
			return nil, fmt.Errorf("register device %s: %w", nd.ID, err)
		}
		if w.ID == 0 {
			return nil, problem.Invalid("not_found", "window", "窗口或大厅编码不存在")
		}
		rec.WindowID, rec.HallID = &w.ID, &w.HallID
	}
	if nd.HallCode != "" {
		var hall int64
		if err := d.DB.Gorm.WithContext(ctx).Raw(`SELECT id FROM halls WHERE code = ?`, nd.HallCode).Scan(&hall).Error; err != nil {
			return nil, fmt.Errorf("register device %s: %w", nd.ID, err)
		}
		if hall == 0 {
			return nil, problem.Invalid("not_found", "hall", "窗口或大厅编码不存在")
		}
		rec.HallID = &hall
	}
	err := d.DB.Gorm.WithContext(ctx).Create(&rec).Error
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return nil, problem.Conflict("device_id_taken", "设备编号 "+nd.ID+" 已被使用").WithField("id", "已被使用")
	}
	if err != nil {
		return nil, fmt.Errorf("register device %s: %w", nd.ID, err)
	}
	dev := Device{ID: rec.ID, Channel: rec.Channel, Name: rec.Name, Enabled: rec.Enabled, Demo: rec.Demo, CreatedAt: rec.CreatedAt}
	dev.WindowCode, dev.HallCode, dev.Secret = nd.WindowCode, nd.HallCode, nd.Secret
	return &dev, nil
}

// Lookup returns the device with its secret opened, or nil if there is none. It is on every
// signed request's path: a device is kept in memory (internal/refcache) until a change of the
// devices table, by any instance, makes it be read again.
func (d *Devices) Lookup(ctx context.Context, id string) (*Device, error) {
	d.cacheOnce.Do(func() { d.cache = refcache.New[string, Device](d.DB.RefData, 100_000, 5*time.Minute) })
	// A key outlives the request: its bytes must not be a request header's, which fiber reuses.
	id = strings.Clone(id)
	dev, err := d.cache.Get(ctx, id, func(ctx context.Context) (Device, error) { return d.lookupDB(ctx, id) })
	if errors.Is(err, refcache.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &dev, nil // a copy: the cached one stays as read
}

func (d *Devices) lookupDB(ctx context.Context, id string) (Device, error) {
	var dev Device
	var sealed []byte
	err := d.DB.Pool.QueryRow(ctx, `
		SELECT id, channel, window_id, hall_id, secret_enc, enabled, demo FROM devices WHERE id = $1`, id,
	).Scan(&dev.ID, &dev.Channel, &dev.WindowID, &dev.HallID, &sealed, &dev.Enabled, &dev.Demo)
	if errors.Is(err, pgx.ErrNoRows) {
		return dev, refcache.ErrNotFound
	}
	if err != nil {
		return dev, fmt.Errorf("look up device: %w", err)
	}
	if dev.secret, err = d.Keys.Open(sealed); err != nil {
		return dev, fmt.Errorf("device %s: secret unreadable (wrong HAOCHAPING_DATA_KEY?): %w", id, err)
	}
	return dev, nil
}

// List returns the devices; withSecrets opens the secrets of demo devices only.
func (d *Devices) List(ctx context.Context, demoOnly, withSecrets bool) ([]*Device, error) {
	rows, err := d.DB.Pool.Query(ctx, `
		SELECT d.id, d.channel, d.name, COALESCE(w.code, ''), COALESCE(h.code, ''), d.enabled, d.demo,
		       d.created_at, d.secret_enc
		FROM devices d LEFT JOIN windows w ON w.id = d.window_id LEFT JOIN halls h ON h.id = d.hall_id
		WHERE d.demo OR NOT $1
		ORDER BY d.channel, d.id`, demoOnly)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	defer rows.Close()
	var out []*Device
	for rows.Next() {
		var dev Device
		var sealed []byte
		if err := rows.Scan(&dev.ID, &dev.Channel, &dev.Name, &dev.WindowCode, &dev.HallCode, &dev.Enabled,
			&dev.Demo, &dev.CreatedAt, &sealed); err != nil {
			return nil, fmt.Errorf("list devices: %w", err)
		}
		if withSecrets && dev.Demo {
			if dev.Secret, err = d.Keys.Open(sealed); err != nil {
				return nil, fmt.Errorf("device %s: secret unreadable (wrong HAOCHAPING_DATA_KEY?): %w", dev.ID, err)
			}
		}
		out = append(out, &dev)
	}
	return out, rows.Err()
}

// SetEnabled enables or disables a device; a disabled device is refused at once, and the
// browser sessions it was paired with end (enabling it again does not bring them back: the
// device is paired anew).
func (d *Devices) SetEnabled(ctx context.Context, id string, enabled bool) error {
	var n int
	err := d.DB.Pool.QueryRow(ctx, `
		WITH changed AS (UPDATE devices SET enabled = $2 WHERE id = $1 RETURNING id),
		     ended AS (UPDATE device_sessions SET revoked_at = now()
		               WHERE NOT $2 AND revoked_at IS NULL AND device_id IN (SELECT id FROM changed))
		SELECT count(*) FROM changed`, id, enabled).Scan(&n)
	if err != nil {
		return fmt.Errorf("update device %s: %w", id, err)
	}
	if n == 0 {
		return problem.NotFound("device_not_found", "设备不存在："+id)
	}
	d.DB.RefData.Invalidate() // refused by this instance at once; by the others on NOTIFY
	return nil
}

func validChannel(c string) bool {
	for _, ch := range DeviceChannels {
		if c == ch {
			return true
		}
	}
	return false
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
