package main

import (
	"context"
	"fmt"

	"haochaping/seeds"
)

func runSeed(ctx context.Context, args []string) error {
	e, err := open(ctx, needs{keys: true})
	if err != nil {
		return err
	}
	defer e.close()
	l := &seeds.Loader{DB: e.db, Keys: e.keys, Log: e.log}
	sum, err := l.Seed(ctx, e.cfg.Demo)
	if err != nil {
		return err
	}
	mode := "without demo data (HAOCHAPING_DEMO is off)"
	if e.cfg.Demo {
		mode = "with demo staff and devices"
	}
	fmt.Printf("seeded %s: %d regions, %d departments, %d halls, %d windows, %d service items, %d staff, %d devices\n",
		mode, sum.Regions, sum.Departments, sum.Halls, sum.Windows, sum.Items, sum.Staff, sum.Devices)
	return nil
}
