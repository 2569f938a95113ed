package main

import (
	"context"
	"fmt"

	"haochaping/seeds"
)

func runSeed(ctx context.Context, args []string) error {
	e, err := open(ctx, needs{Keys: true})
	if err != nil {
		return err
	}
	defer e.Close()
	l := &seeds.Loader{DB: e.DB, Keys: e.Keys, Log: e.Log}
	sum, err := l.Seed(ctx, e.Cfg.Demo)
	if err != nil {
		return err
	}
	mode := "without demo data (HAOCHAPING_DEMO is off)"
	if e.Cfg.Demo {
		mode = "with demo staff and devices"
	}
	fmt.Printf("seeded %s: %d regions, %d departments, %d halls, %d windows, %d service items, %d staff, %d devices\n",
		mode, sum.Regions, sum.Departments, sum.Halls, sum.Windows, sum.Items, sum.Staff, sum.Devices)
	return nil
}
