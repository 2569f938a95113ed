package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"haochaping/channels"
	"haochaping/internal/bjtime"
)

func runDevice(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: haochaping device add|list|pair|enable|disable ...")
		return errUsage
	}
	e, err := open(ctx, needs{Keys: true})
	if err != nil {
		return err
	}
	defer e.Close()
	devices := &channels.Devices{DB: e.DB, Keys: e.Keys}
	switch args[0] {
	case "add":
		return deviceAdd(ctx, devices, args[1:])
	case "list":
		return deviceList(ctx, devices, e.Cfg.Demo, args[1:])
	case "pair":
		return devicePair(ctx, devices, args[1:])
	case "enable", "disable":
		return switchOn(ctx, "device", args, devices.SetEnabled)
	}
	fmt.Fprintf(os.Stderr, "haochaping device: unknown action %q (add, list, pair, enable, disable)\n", args[0])
	return errUsage
}

func deviceAdd(ctx context.Context, devices *channels.Devices, args []string) error {
	fs := flag.NewFlagSet("device add", flag.ContinueOnError)
	var nd channels.NewDevice
	fs.StringVar(&nd.Channel, "channel", "", "pc, window, mobile, kiosk or system (required)")
	fs.StringVar(&nd.WindowCode, "window", "", "window code (required for window pads)")
	fs.StringVar(&nd.HallCode, "hall", "", "hall code (required for kiosks)")
	fs.StringVar(&nd.Name, "name", "", "a name people recognise")
	fs.StringVar(&nd.ID, "id", "", "device ID (default: generated)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if nd.Channel == "" {
		fs.Usage()
		return errUsage
	}
	dev, err := devices.Add(ctx, nd)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(dev)
	}
	fmt.Printf("device registered\n  id:      %s\n  channel: %s\n  secret:  %s\n\n"+
		"The secret is shown only now: put it in the device. Requests are signed with it\n"+
		"(X-Device-ID, X-Timestamp, X-Signature: see README.md).\n", dev.ID, dev.Channel, dev.Secret)
	return nil
}

func deviceList(ctx context.Context, devices *channels.Devices, demoMode bool, args []string) error {
	fs := flag.NewFlagSet("device list", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "only the demo devices, with their secrets (demo mode only)")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *demo && !demoMode {
		return errors.New("demo devices exist only in demo mode (HAOCHAPING_DEMO=1, which `make run` sets)")
	}
	list, err := devices.List(ctx, *demo, *demo)
	if err != nil {
		return err
	}
	if *asJSON {
		if list == nil {
			list = []*channels.Device{}
		}
		return json.NewEncoder(os.Stdout).Encode(list)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tCHANNEL\tWINDOW\tHALL\tENABLED\tSECRET\tNAME")
	for _, d := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%t\t%s\t%s\n", d.ID, d.Channel, d.WindowCode, d.HallCode, d.Enabled, d.Secret, d.Name)
	}
	return w.Flush()
}

// devicePair prints a pairing code for a pad or a kiosk: entered on the device's screen
// (/pad or /kiosk), it makes that browser the device.
func devicePair(ctx context.Context, devices *channels.Devices, args []string) error {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: haochaping device pair DEVICE-ID")
		return errUsage
	}
	code, err := devices.NewPairingCode(ctx, args[0], time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("pairing code for %s: %s\n  valid until %s; enter it once on the device's screen (/pad or /kiosk).\n",
		code.DeviceID, code.Code, code.ExpiresAt.In(bjtime.Location).Format("2006-01-02 15:04"))
	return nil
}
