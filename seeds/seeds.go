// Package seeds loads the data the system starts from: the organisation of the city, its
// service items, the reason lists and the default settings; in demo mode also demo staff and
// devices. Loading is idempotent: rows are matched by their codes and updated in place.
package seeds

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"time"

	"go.yaml.in/yaml/v3"
	"gorm.io/gorm"

	"haochaping/access"
	"haochaping/calendar"
	"haochaping/channels"
	"haochaping/internal/database"
	"haochaping/internal/pii"
)

//go:embed org.yaml
var orgYAML []byte

// Org is the content of org.yaml.
type Org struct {
	City        Named      `yaml:"city"`
	Districts   []District `yaml:"districts"`
	Departments []struct {
		Kind         string `yaml:"kind"`
		Abbr         string `yaml:"abbr"`
		City         string `yaml:"city"`
		District     string `yaml:"district"`
		HallOperator bool   `yaml:"hall_operator"`
	} `yaml:"departments"`
	HallWindows []struct {
		Kind  string `yaml:"kind"`
		Abbr  string `yaml:"abbr"`
		Name  string `yaml:"name"`
		Count int    `yaml:"count"`
	} `yaml:"hall_windows"`
	SpecialisedWindows []struct {
		Department string `yaml:"department"`
		Abbr       string `yaml:"abbr"`
		Name       string `yaml:"name"`
		CityOnly   bool   `yaml:"city_only"`
	} `yaml:"specialised_windows"`
	Items []struct {
		Basic      string `yaml:"basic"`
		Name       string `yaml:"name"`
		Department string `yaml:"department"`
		Type       string `yaml:"type"`
		Days       int    `yaml:"days"`
		Online     bool   `yaml:"online"`
		CityOnly   bool   `yaml:"city_only"`
	} `yaml:"items"`
	Reasons struct {
		Version       int       `yaml:"version"`
		EffectiveFrom time.Time `yaml:"effective_from"`
		Note          string    `yaml:"note"`
		Online        []Reason  `yaml:"online"`
		Offline       []Reason  `yaml:"offline"`
	} `yaml:"reasons"`
	Settings map[string]string `yaml:"settings"`
}

// District is a district of the city; Government names its government when it is not
// "<name>人民政府".
type District struct {
	Code       string `yaml:"code"`
	Name       string `yaml:"name"`
	Government string `yaml:"government"`
}

// Named is a code and a name.
type Named struct {
	Code string `yaml:"code"`
	Name string `yaml:"name"`
}

// Reason is one 评价指标.
type Reason struct {
	Code string `yaml:"code"`
	Name string `yaml:"name"`
}

// LoadOrg parses the embedded org.yaml.
func LoadOrg() (*Org, error) {
	var o Org
	if err := yaml.Unmarshal(orgYAML, &o); err != nil {
		return nil, fmt.Errorf("seeds/org.yaml: %w", err)
	}
	return &o, nil
}

// Summary counts what a seed run holds afterwards.
type Summary struct {
	Regions, Departments, Halls, Windows, Items, Staff, Devices int
}

// Loader writes the seeds.
type Loader struct {
	DB   *database.DB
	Keys *pii.Keys
	Log  *slog.Logger
}

// Seed loads the organisation, items, reasons and settings; with demo, also the demo staff and
// devices (whose secrets are then readable with `haochaping device list --demo`).
func (l *Loader) Seed(ctx context.Context, demo bool) (*Summary, error) {
	org, err := LoadOrg()
	if err != nil {
		return nil, err
	}
	var built *builtOrg
	err = l.DB.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// One seeding at a time: two instances starting together must not race on the codes.
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", l.DB.LockKey("seed")).Error; err != nil {
			return err
		}
		var err error
		if built, err = seedOrg(tx, org); err != nil {
			return err
		}
		if err := seedReasons(tx, org); err != nil {
			return err
		}
		if err := seedSettings(tx, org.Settings); err != nil {
			return err
		}
		if err := seedCalendar(tx, calendar.Default()); err != nil {
			return err
		}
		if err := seedLedgers(tx); err != nil {
			return err
		}
		if demo {
			return seedDemoStaff(tx, built)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if demo {
		devices := &channels.Devices{DB: l.DB, Keys: l.Keys}
		if err := seedDemoDevices(ctx, devices, built); err != nil {
			return nil, fmt.Errorf("seed demo devices: %w", err)
		}
		if err := SeedDemoUsers(ctx, &access.Users{DB: l.DB}); err != nil {
			return nil, fmt.Errorf("seed demo users: %w", err)
		}
	}
	return l.summary(ctx)
}

func (l *Loader) summary(ctx context.Context) (*Summary, error) {
	var s Summary
	err := l.DB.Pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM regions), (SELECT count(*) FROM departments), (SELECT count(*) FROM halls),
		(SELECT count(*) FROM windows), (SELECT count(*) FROM service_items), (SELECT count(*) FROM staff),
		(SELECT count(*) FROM devices)`).Scan(&s.Regions, &s.Departments, &s.Halls, &s.Windows, &s.Items, &s.Staff, &s.Devices)
	if err != nil {
		return nil, fmt.Errorf("count seeds: %w", err)
	}
	return &s, nil
}
