package loadgen

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Device is a registered device with its secret, as `haochaping device list --demo --json`
// prints it.
type Device struct {
	ID         string `json:"id"`
	Channel    string `json:"channel"`
	WindowCode string `json:"window"`
	HallCode   string `json:"hall"`
	Enabled    bool   `json:"enabled"`
	Secret     string `json:"secret"`
}

// CityHall is the hall whose devices send the load: every one of its windows has a demo pad,
// and it has a kiosk (seeds.seedDemoDevices); its cases take the city's items.
const CityHall = "370400-ZWFW"

// Fleet is the devices loadgen signs with.
type Fleet struct {
	Pads   []Device // the city hall's window pads
	Kiosk  Device   // the city hall's kiosk
	Mobile Device   // the mobile backend
	PC     Device   // the portal's backend
	System Device   // the business system that pushes the cases
}

// ReadDevices reads the JSON array `haochaping device list --demo --json` prints.
func ReadDevices(path string) ([]Device, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read devices: %w", err)
	}
	var list []Device
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("read devices %s: %w", path, err)
	}
	return list, nil
}

// NewFleet picks the devices of the load from the demo devices: the city hall's pads and kiosk,
// and the three backends. Each must be enabled and have its secret.
func NewFleet(list []Device) (*Fleet, error) {
	f := &Fleet{}
	for _, d := range list {
		if !d.Enabled || d.Secret == "" {
			continue
		}
		switch {
		case d.Channel == "window" && strings.HasPrefix(d.WindowCode, "370400-") && d.ID == "demo-window-"+strings.ToLower(d.WindowCode):
			f.Pads = append(f.Pads, d)
		case d.Channel == "kiosk" && d.HallCode == CityHall:
			f.Kiosk = d
		case d.ID == "demo-mobile":
			f.Mobile = d
		case d.ID == "demo-pc":
			f.PC = d
		case d.ID == "demo-system":
			f.System = d
		}
	}
	sort.Slice(f.Pads, func(a, b int) bool { return f.Pads[a].ID < f.Pads[b].ID })
	var missing []string
	if len(f.Pads) == 0 {
		missing = append(missing, "the city hall's window pads (demo-window-370400-*)")
	}
	for _, d := range []struct{ got, want string }{{f.Kiosk.ID, "the city hall's kiosk (demo-kiosk-370400)"},
		{f.Mobile.ID, "demo-mobile"}, {f.PC.ID, "demo-pc"}, {f.System.ID, "demo-system"}} {
		if d.got == "" {
			missing = append(missing, d.want)
		}
	}
	if len(missing) > 0 {
		return nil, errors.New("the demo devices with their secrets are missing: " + strings.Join(missing, ", ") +
			" (is the server seeded in demo mode, HAOCHAPING_DEMO=1?)")
	}
	return f, nil
}
